using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>
/// A parsed and checked Amazon States Language definition (JSONPath query language). Everything the
/// local runner cannot execute (a state type, a field, a JSONPath form, an intrinsic function, a
/// resource) is a <see cref="PipelineException"/> (<see cref="ErrorNames.Configuration"/>) naming it,
/// here at load time.
/// </summary>
public sealed partial class StateMachineDefinition
{
    public const string LambdaInvoke = "arn:aws:states:::lambda:invoke";
    public const string SnsPublish = "arn:aws:states:::sns:publish";

    private static readonly HashSet<string> TopFields = ["Comment", "StartAt", "States", "QueryLanguage", "Version", "TimeoutSeconds"];

    /// <summary>The largest TimeoutSeconds the Amazon States Language allows (99999999).</summary>
    internal const int MaxTimeoutSeconds = 99_999_999;

    private readonly StateBranch _branch;

    private StateMachineDefinition(StateBranch branch, IReadOnlySet<string> placeholders, int? timeoutSeconds)
    {
        _branch = branch;
        TimeoutSeconds = timeoutSeconds;
        StartAt = branch.StartAt;
        States = branch.States;
        Placeholders = placeholders;
    }

    public string StartAt { get; }

    /// <summary>The execution's TimeoutSeconds: past it the execution is TIMED_OUT; null is AWS's one year.</summary>
    public int? TimeoutSeconds { get; }

    internal IReadOnlyDictionary<string, State> States { get; }

    /// <summary>The names of the <c>${Name}</c> substitutions anywhere in the file (SAM's DefinitionSubstitutions).</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>The placeholders used as a lambda:invoke FunctionName: each needs an in-process handler.</summary>
    public IReadOnlySet<string> FunctionPlaceholders =>
        AllStates.OfType<TaskState>().Where(t => t.FunctionPlaceholder is not null).Select(t => t.FunctionPlaceholder!).ToHashSet();

    /// <summary>Every state, those inside Maps too.</summary>
    internal IEnumerable<State> AllStates => _branch.AllStates();

    public static StateMachineDefinition Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.Configuration, $"the state machine definition is not valid JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject top)
        {
            throw Invalid("definition", "must be a JSON object");
        }

        CheckFields(top, TopFields, "definition");
        CheckQueryLanguage(top, "definition");

        var branch = StateBranch.Parse(top, "definition");

        var placeholders = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in PlaceholderPattern().Matches(json))
        {
            placeholders.Add(match.Groups[1].Value);
        }

        return new StateMachineDefinition(branch, placeholders, OptionalTimeout(top, "definition"));
    }

    public static StateMachineDefinition Load(string path) => Parse(File.ReadAllText(path));

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    internal static partial Regex PlaceholderPattern();

    internal static PipelineException Invalid(string where, string why) =>
        new(ErrorNames.Configuration, $"{where}: {why}");

    internal static void CheckQueryLanguage(JsonObject node, string where)
    {
        if (OptionalString(node, "QueryLanguage", where) is { } language && language != "JSONPath")
        {
            throw Invalid($"{where}.QueryLanguage", $"\"{language}\" is not supported by the local runner (only JSONPath)");
        }
    }

    internal static void CheckFields(JsonObject node, IReadOnlySet<string> allowed, string where)
    {
        foreach (var (key, _) in node)
        {
            if (!allowed.Contains(key))
            {
                throw Invalid($"{where}.{key}", "this field is not supported by the local runner");
            }
        }
    }

    /// <summary>TimeoutSeconds: a positive integer up to <see cref="MaxTimeoutSeconds"/>, or null when absent.</summary>
    internal static int? OptionalTimeout(JsonObject node, string where)
    {
        if (!node.TryGetPropertyValue("TimeoutSeconds", out var value))
        {
            return null;
        }

        return value is JsonValue v && v.TryGetValue<int>(out var seconds) && seconds is > 0 and <= MaxTimeoutSeconds
            ? seconds
            : throw Invalid($"{where}.TimeoutSeconds", $"must be a positive integer up to {MaxTimeoutSeconds}, not {value?.ToJsonString() ?? "null"}");
    }

    internal static string RequiredString(JsonObject node, string field, string where) =>
        OptionalString(node, field, where) ?? throw Invalid($"{where}.{field}", "is required");

    internal static string? OptionalString(JsonObject node, string field, string where) =>
        node[field] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw Invalid($"{where}.{field}", "must be a string"),
        };
}
