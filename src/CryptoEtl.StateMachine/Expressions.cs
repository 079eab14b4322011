using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>What a payload template or dynamic value is evaluated against.</summary>
internal readonly record struct Scope(JsonNode? Data, JsonNode Context, string StateName, int EnteredEventId)
{
    /// <summary>States.Runtime for this state, worded as AWS words it.</summary>
    public StatesErrorException Runtime(string what) => StatesErrorException.Runtime(StateName, EnteredEventId, what);
}

/// <summary>
/// A compiled piece of a payload template (Parameters, ResultSelector) or a dynamic value
/// (a "key.$" value, ErrorPath, CausePath). Compiling happens when the definition loads, so
/// anything unsupported is reported then, not halfway through a run.
/// </summary>
internal abstract class Expression
{
    public abstract JsonNode? Evaluate(Scope scope);

    /// <summary>A template: objects whose "key.$" fields are paths or intrinsic functions, everything else literal.</summary>
    public static Expression CompileTemplate(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject obj:
                var fields = new List<KeyValuePair<string, Expression>>();
                foreach (var (key, value) in obj)
                {
                    if (key.EndsWith(".$", StringComparison.Ordinal))
                    {
                        var name = key[..^2];
                        if (obj.ContainsKey(name))
                        {
                            throw new PipelineException(ErrorNames.Configuration, $"{where}: both \"{name}\" and \"{key}\"");
                        }

                        if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
                        {
                            throw new PipelineException(ErrorNames.Configuration, $"{where}.{key}: a \".$\" field must be a string path or intrinsic function");
                        }

                        fields.Add(new(name, CompileDynamic(text, $"{where}.{key}", key)));
                    }
                    else
                    {
                        fields.Add(new(key, CompileTemplate(value, $"{where}.{key}")));
                    }
                }

                return new ObjectExpression(fields);
            case JsonArray array:
                return new ArrayExpression([.. array.Select((item, i) => CompileTemplate(item, $"{where}[{i}]"))]);
            default:
                return new LiteralExpression(node);
        }
    }

    /// <summary>A path (<c>$.a</c>, <c>$$.Execution.Name</c>) or an intrinsic function call;
    /// <paramref name="field"/> is the field it is the value of ("value.$", "ErrorPath"), as AWS's error names it.</summary>
    public static Expression CompileDynamic(string text, string where, string field)
    {
        var trimmed = text.Trim();
        if (JsonPath.LooksLikePath(trimmed))
        {
            return new PathExpression(JsonPath.Parse(trimmed, where), field);
        }

        if (trimmed.StartsWith("States.", StringComparison.Ordinal))
        {
            return new IntrinsicParser(trimmed, where, field).ParseWhole();
        }

        throw new PipelineException(ErrorNames.Configuration, $"{where}: \"{text}\" is neither a JSONPath nor an intrinsic function");
    }
}

internal sealed class LiteralExpression(JsonNode? value) : Expression
{
    public JsonNode? Value { get; } = value;

    public override JsonNode? Evaluate(Scope scope) => Value?.DeepClone();
}

/// <summary>
/// A path that finds nothing (a missing field, an index out of range) is States.Runtime, which no
/// Retry or Catch handles (LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json,
/// test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH], [..._CONTEXTPATH], [INVALID_JSONPATH_IN_ERRORPATH]).
/// </summary>
internal sealed class PathExpression(JsonPath path, string field) : Expression
{
    public override JsonNode? Evaluate(Scope scope)
    {
        var root = path.IsContext ? scope.Context : scope.Data;
        return path.TrySelect(root, out var value)
            ? value?.DeepClone()
            : throw scope.Runtime($"The JSONPath '{path.Text}' specified for the field '{field}' could not be found in the input '{root?.ToJsonString() ?? "null"}'");
    }
}

internal sealed class ObjectExpression(List<KeyValuePair<string, Expression>> fields) : Expression
{
    public override JsonNode? Evaluate(Scope scope)
    {
        var result = new JsonObject();
        foreach (var (name, value) in fields)
        {
            result[name] = value.Evaluate(scope);
        }

        return result;
    }
}

internal sealed class ArrayExpression(List<Expression> items) : Expression
{
    public override JsonNode? Evaluate(Scope scope) => new JsonArray([.. items.Select(item => item.Evaluate(scope))]);
}

/// <summary>An intrinsic function call; the functions the local runner knows are listed in <see cref="Functions"/>.</summary>
internal sealed class IntrinsicCall : Expression
{
    public static readonly IReadOnlyList<string> Functions = ["States.Format", "States.JsonMerge", "States.JsonToString", "States.StringToJson"];

    private readonly string _name;
    private readonly List<Expression> _args;
    private readonly List<string>? _formatParts;

    public IntrinsicCall(string name, List<Expression> args, string where)
    {
        _name = name;
        _args = args;
        PipelineException Invalid(string why) => new(ErrorNames.Configuration, $"{where}: {name}: {why}");
        switch (name)
        {
            case "States.Format":
                if (args.Count == 0 || args[0] is not StringLiteral template)
                {
                    throw Invalid("the first argument must be a string literal template");
                }

                _formatParts = SplitTemplate(template.Raw);
                if (_formatParts.Count - 1 != args.Count - 1)
                {
                    throw Invalid($"the template has {_formatParts.Count - 1} {{}} but {args.Count - 1} values follow it");
                }

                break;
            case "States.JsonMerge":
                // Step Functions only does shallow merges: the third argument must be false.
                if (args.Count != 3 || args[2] is not LiteralExpression { Value: JsonValue deep } || !deep.TryGetValue<bool>(out var isDeep) || isDeep)
                {
                    throw Invalid("takes two objects and false (shallow merge)");
                }

                break;
            case "States.JsonToString" or "States.StringToJson":
                if (args.Count != 1)
                {
                    throw Invalid("takes one argument");
                }

                break;
            default:
                throw new PipelineException(ErrorNames.Configuration,
                    $"{where}: intrinsic function {name} is not supported by the local runner (supported: {string.Join(", ", Functions)})");
        }
    }

    public override JsonNode? Evaluate(Scope scope)
    {
        var values = _args.Select(arg => arg.Evaluate(scope)).ToList();
        return _name switch
        {
            "States.Format" => Format(values, scope),
            "States.JsonMerge" => Merge(values[0], values[1], scope),
            "States.JsonToString" => JsonValue.Create(values[0]?.ToJsonString() ?? "null"),
            _ => ParseJson(values[0], scope),
        };
    }

    private JsonValue Format(List<JsonNode?> values, Scope scope)
    {
        var text = new StringBuilder(_formatParts![0]);
        for (var i = 1; i < _formatParts.Count; i++)
        {
            var value = values[i];
            text.Append(FormatArgument(values[i]));
            text.Append(_formatParts[i]);
        }

        return JsonValue.Create(text.ToString());
    }

    /// <summary>
    /// How States.Format prints an argument: text as is, and an object or array the way Java prints a
    /// map or list ({Arg1=1, Arg2=[]}), as AWS recorded (LocalStack tests/aws/services/stepfunctions/v2/
    /// intrinsic_functions/test_generic.snapshot.json, TestGeneric::test_format_2, exec_hist_resp_7).
    /// </summary>
    private static string FormatArgument(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => "{" + string.Join(", ", o.Select(p => $"{p.Key}={FormatArgument(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(FormatArgument)) + "]",
        _ => value.ToJsonString(),
    };

    private JsonObject Merge(JsonNode? left, JsonNode? right, Scope scope)
    {
        if (left is not JsonObject first || right is not JsonObject second)
        {
            throw Failure(scope, "both arguments must be JSON objects");
        }

        foreach (var (key, value) in second.ToList())
        {
            second.Remove(key);
            first[key] = value;
        }

        return first;
    }

    private JsonNode? ParseJson(JsonNode? value, Scope scope)
    {
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
        {
            throw Failure(scope, "the argument must be a string");
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw Failure(scope, $"the argument is not JSON: {ex.Message}");
        }
    }

    // An intrinsic function that fails is States.Runtime on AWS (and in moto's interpreter), not
    // the States.IntrinsicFailure the ASL spec lists; AWS's wording of the cause is not recorded.
    private StatesErrorException Failure(Scope scope, string why) => scope.Runtime($"{_name}: {why}");

    /// <summary>Splits a format template at each unescaped {} and unescapes the literal text between them.</summary>
    private static List<string> SplitTemplate(string raw)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                current.Append(raw[++i]);
            }
            else if (raw[i] == '{' && i + 1 < raw.Length && raw[i + 1] == '}')
            {
                parts.Add(current.ToString());
                current.Clear();
                i++;
            }
            else
            {
                current.Append(raw[i]);
            }
        }

        parts.Add(current.ToString());
        return parts;
    }
}

/// <summary>A quoted string argument; <see cref="Raw"/> keeps the escapes States.Format needs to tell \{ from {.</summary>
internal sealed class StringLiteral(string raw, string value) : Expression
{
    public string Raw { get; } = raw;

    public override JsonNode? Evaluate(Scope scope) => JsonValue.Create(value);
}

/// <summary>Parses <c>States.Name(arg, ...)</c> where an argument is a 'string', number, true, false, null, a path or a call.</summary>
internal sealed class IntrinsicParser(string text, string where, string field)
{
    private int _pos;

    public Expression ParseWhole()
    {
        var call = ParseCall();
        SkipSpaces();
        return _pos == text.Length ? call : throw Error($"unexpected text after the call: \"{text[_pos..]}\"");
    }

    private IntrinsicCall ParseCall()
    {
        var start = _pos;
        while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '.'))
        {
            _pos++;
        }

        var name = text[start.._pos];
        SkipSpaces();
        Expect('(');
        var args = new List<Expression>();
        SkipSpaces();
        if (Peek() == ')')
        {
            _pos++;
            return new IntrinsicCall(name, args, where);
        }

        while (true)
        {
            SkipSpaces();
            args.Add(ParseArgument());
            SkipSpaces();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect(')');
            return new IntrinsicCall(name, args, where);
        }
    }

    private Expression ParseArgument()
    {
        var c = Peek();
        if (c == '\'')
        {
            return ParseString();
        }

        if (c == '$')
        {
            return new PathExpression(JsonPath.Parse(ReadToken(), where), field);
        }

        if (text.AsSpan(_pos).StartsWith("States.", StringComparison.Ordinal))
        {
            return ParseCall();
        }

        var token = ReadToken();
        return token switch
        {
            "true" => new LiteralExpression(JsonValue.Create(true)),
            "false" => new LiteralExpression(JsonValue.Create(false)),
            "null" => new LiteralExpression(null),
            _ when double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => new LiteralExpression(JsonNode.Parse(token)),
            _ => throw Error($"unexpected argument \"{token}\""),
        };
    }

    private StringLiteral ParseString()
    {
        Expect('\'');
        var raw = new StringBuilder();
        var value = new StringBuilder();
        while (_pos < text.Length && text[_pos] != '\'')
        {
            if (text[_pos] == '\\' && _pos + 1 < text.Length)
            {
                raw.Append(text[_pos]);
                _pos++;
            }

            raw.Append(text[_pos]);
            value.Append(text[_pos]);
            _pos++;
        }

        Expect('\'');
        return new StringLiteral(raw.ToString(), value.ToString());
    }

    /// <summary>A path or a literal: everything up to the next separator.</summary>
    private string ReadToken()
    {
        var start = _pos;
        while (_pos < text.Length && text[_pos] is not (',' or ')' or ' '))
        {
            _pos++;
        }

        return text[start.._pos];
    }

    private char Peek() => _pos < text.Length ? text[_pos] : '\0';

    private void SkipSpaces()
    {
        while (_pos < text.Length && text[_pos] == ' ')
        {
            _pos++;
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}' at position {_pos}");
        }

        _pos++;
    }

    private PipelineException Error(string why) =>
        new(ErrorNames.Configuration, $"{where}: cannot parse intrinsic function \"{text}\": {why}");
}
