using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// A CloudFormation/SAM template read with its short-form tags (!Ref, !Sub, !If, ...) turned into
/// their long forms, then resolved for one set of parameter values: conditions decided, Fn::If
/// picked, AWS::NoValue dropped, parameters and pseudo parameters filled in. Resources stay
/// symbolic (Ref X is "{X}", GetAtt X.Arn is "{X.Arn}") so a test can say what a value points at.
/// A reference to nothing, or an intrinsic this reader does not know, throws: better a red test
/// than a silently wrong one.
/// </summary>
public sealed partial class CfnTemplate
{
    public const string Region = "eu-west-1";
    public const string AccountId = "123456789012";
    public const string StackName = "cryptoetl";

    private static readonly object NoValue = new();

    private readonly Dictionary<string, object?> template;
    private readonly Dictionary<string, string> parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> conditions;
    private readonly Dictionary<string, object?> rawResources;

    public CfnTemplate(Dictionary<string, object?> template, IReadOnlyDictionary<string, string>? overrides = null)
    {
        this.template = template;
        conditions = MapOrEmpty(template, "Conditions");
        rawResources = MapOrEmpty(template, "Resources");

        foreach (var (name, definition) in MapOrEmpty(template, "Parameters"))
        {
            var declaration = AsMap(definition);
            if (overrides is not null && overrides.TryGetValue(name, out var value))
            {
                parameters[name] = value;
            }
            else if (declaration.TryGetValue("Default", out var defaultValue))
            {
                parameters[name] = AsString(defaultValue);
            }
        }

        foreach (var name in overrides?.Keys ?? [])
        {
            if (!parameters.ContainsKey(name))
            {
                throw new ArgumentException($"the template has no parameter {name}", nameof(overrides));
            }
        }

        Resources = [];
        foreach (var (name, resource) in rawResources)
        {
            var map = AsMap(resource);
            if (map.TryGetValue("Condition", out var condition) && !IsTrue(AsString(condition)))
            {
                continue;
            }

            Resources[name] = AsMap(Resolve(resource));
        }

        Globals = AsMap(Resolve(MapOrEmpty(template, "Globals")));
        Outputs = AsMap(Resolve(MapOrEmpty(template, "Outputs")));
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TemplatePath { get; } = Path.Combine(RepoRoot, "infra", "template.yaml");

    /// <summary>The parameter values in force (defaults, then overrides).</summary>
    public IReadOnlyDictionary<string, string> Parameters => parameters;

    /// <summary>Resources whose Condition holds, resolved.</summary>
    public Dictionary<string, Dictionary<string, object?>> Resources { get; }

    public Dictionary<string, object?> Globals { get; }

    public Dictionary<string, object?> Outputs { get; }

    /// <summary>Resources as written, before any resolution.</summary>
    public IReadOnlyDictionary<string, object?> RawResources => rawResources;

    public IReadOnlyDictionary<string, object?> ParameterDeclarations => MapOrEmpty(template, "Parameters");

    public static CfnTemplate Load(IReadOnlyDictionary<string, string>? overrides = null) =>
        new(ReadYaml(TemplatePath), overrides);

    public IEnumerable<KeyValuePair<string, Dictionary<string, object?>>> ResourcesOfType(string type) =>
        Resources.Where(r => AsString(r.Value["Type"]) == type);

    public static Dictionary<string, object?> Properties(Dictionary<string, object?> resource) =>
        MapOrEmpty(resource, "Properties");

    public bool IsTrue(string conditionName) =>
        conditions.TryGetValue(conditionName, out var condition)
            ? EvaluateBool(condition)
            : throw new InvalidDataException($"no condition named {conditionName}");

    // ---------------------------------------------------------------- YAML -> plain objects

    /// <summary>The template as dictionaries, lists and strings, short-form tags in long form.</summary>
    public static Dictionary<string, object?> ReadYaml(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        return AsMap(Convert(yaml.Documents[0].RootNode));
    }

    private static object? Convert(YamlNode node)
    {
        object? value = node switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
            YamlMappingNode mapping => mapping.Children.ToDictionary(
                pair => ((YamlScalarNode)pair.Key).Value ?? "",
                pair => Convert(pair.Value),
                StringComparer.Ordinal),
            _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType} at {node.Start}"),
        };

        var tag = node.Tag;
        if (tag.IsEmpty || tag.IsNonSpecific || !tag.Value.StartsWith('!') || tag.Value.StartsWith("!!", StringComparison.Ordinal))
        {
            return value;
        }

        var function = tag.Value[1..];
        return function switch
        {
            "Ref" => new Dictionary<string, object?>(StringComparer.Ordinal) { ["Ref"] = value },
            "Condition" => new Dictionary<string, object?>(StringComparer.Ordinal) { ["Condition"] = value },
            // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
            "GetAtt" when value is string text => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Fn::GetAtt"] = text.Split('.', 2).Cast<object?>().ToList(),
            },
            _ => new Dictionary<string, object?>(StringComparer.Ordinal) { ["Fn::" + function] = value },
        };
    }

    // ---------------------------------------------------------------- resolution

    private object? Resolve(object? node)
    {
        switch (node)
        {
            case null or string:
                return node;
            case List<object?> list:
                return list.Select(Resolve).Where(item => !ReferenceEquals(item, NoValue)).ToList();
            case Dictionary<string, object?> map when map.Count == 1 && IsIntrinsic(map.Keys.First()):
                return ResolveIntrinsic(map.Keys.First(), map.Values.First());
            case Dictionary<string, object?> map:
                var resolved = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in map)
                {
                    var item = Resolve(value);
                    if (!ReferenceEquals(item, NoValue))
                    {
                        resolved[key] = item;
                    }
                }

                return resolved;
            default:
                throw new InvalidDataException($"unexpected node {node.GetType()}");
        }
    }

    private static bool IsIntrinsic(string key) => key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private object? ResolveIntrinsic(string function, object? argument)
    {
        switch (function)
        {
            case "Ref":
                return Reference(AsString(argument));
            case "Fn::GetAtt":
                var parts = AsList(argument).Select(AsString).ToList();
                RequireResource(parts[0]);
                return "{" + string.Join('.', parts) + "}";
            case "Fn::Sub":
                return Substitute(AsString(argument));
            case "Fn::If":
                var branches = AsList(argument);
                return Resolve(IsTrue(AsString(branches[0])) ? branches[1] : branches[2]);
            case "Fn::Join":
                var join = AsList(argument);
                return string.Join(AsString(join[0]), AsList(Resolve(join[1])).Select(AsString));
            default:
                throw new NotSupportedException($"{function} is not understood by this reader; teach CfnTemplate");
        }
    }

    private object Reference(string name)
    {
        if (name == "AWS::NoValue")
        {
            return NoValue;
        }

        if (PseudoParameter(name) is { } pseudo)
        {
            return pseudo;
        }

        if (parameters.TryGetValue(name, out var value))
        {
            return value;
        }

        if (ParameterDeclarations.ContainsKey(name))
        {
            throw new InvalidDataException($"parameter {name} has no default: pass it as an override");
        }

        RequireResource(name);
        return "{" + name + "}";
    }

    private string Substitute(string text) =>
        SubVariable().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}";
            }

            if (name.Contains('.', StringComparison.Ordinal) && !name.StartsWith("AWS::", StringComparison.Ordinal))
            {
                RequireResource(name.Split('.')[0]);
                return "{" + name + "}";
            }

            return AsString(Reference(name));
        });

    private void RequireResource(string name)
    {
        if (!rawResources.ContainsKey(name))
        {
            throw new InvalidDataException($"reference to {name}, which is neither a parameter nor a resource");
        }
    }

    private static string? PseudoParameter(string name) => name switch
    {
        "AWS::Region" => Region,
        "AWS::AccountId" => AccountId,
        "AWS::Partition" => "aws",
        "AWS::StackName" => StackName,
        "AWS::URLSuffix" => "amazonaws.com",
        _ => null,
    };

    private bool EvaluateBool(object? node)
    {
        var map = AsMap(node);
        var (function, argument) = map.Single();
        var args = function == "Condition" ? [] : AsList(argument);
        return function switch
        {
            "Condition" => IsTrue(AsString(argument)),
            "Fn::Equals" => AsString(Resolve(args[0])) == AsString(Resolve(args[1])),
            "Fn::Not" => !EvaluateBool(args[0]),
            "Fn::And" => args.All(EvaluateBool),
            "Fn::Or" => args.Any(EvaluateBool),
            _ => throw new NotSupportedException($"condition function {function} is not understood"),
        };
    }

    // ---------------------------------------------------------------- helpers for tests

    public static Dictionary<string, object?> AsMap(object? node) =>
        node as Dictionary<string, object?> ?? throw new InvalidDataException($"expected a mapping, got {Describe(node)}");

    public static List<object?> AsList(object? node) =>
        node as List<object?> ?? throw new InvalidDataException($"expected a list, got {Describe(node)}");

    public static string AsString(object? node) =>
        node as string ?? throw new InvalidDataException($"expected a string, got {Describe(node)}");

    /// <summary>A value that IAM and other specs allow as one item or a list, as a list of strings.</summary>
    public static List<string> OneOrMany(object? node) =>
        node is List<object?> list ? list.Select(AsString).ToList() : [AsString(node)];

    public static Dictionary<string, object?> MapOrEmpty(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? AsMap(value) : new Dictionary<string, object?>(StringComparer.Ordinal);

    private static string Describe(object? node) => node switch
    {
        null => "null",
        Dictionary<string, object?> map => "{" + string.Join(", ", map.Keys) + "}",
        List<object?> list => $"a list of {list.Count}",
        _ => node.ToString() ?? "",
    };

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CryptoEtl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no CryptoEtl.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
