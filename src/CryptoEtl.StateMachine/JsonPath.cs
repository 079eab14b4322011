using System.Globalization;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>
/// The JSONPath subset ASL reference paths use: <c>$</c> (state data) or <c>$$</c> (context object),
/// then <c>.name</c>, <c>['name']</c> and <c>[index]</c> steps. Wildcards, filters, slices and
/// <c>..</c> are rejected when the definition loads.
/// </summary>
internal sealed class JsonPath
{
    private readonly object[] _steps; // string: a field; int: an array index

    private JsonPath(string text, bool isContext, object[] steps)
    {
        Text = text;
        IsContext = isContext;
        _steps = steps;
    }

    public string Text { get; }

    /// <summary>True for <c>$$...</c>: the path reads the context object.</summary>
    public bool IsContext { get; }

    public bool IsRoot => _steps.Length == 0;

    public static bool LooksLikePath(string text) => text.StartsWith('$');

    /// <summary>Parses <paramref name="text"/>; <paramref name="where"/> names its place for the error message
    /// (e.g. "States.Extract.InputPath"); <paramref name="referenceOnly"/> is for ResultPath: fields only.</summary>
    public static JsonPath Parse(string text, string where, bool referenceOnly = false)
    {
        PipelineException Unsupported(string why) =>
            new(ErrorNames.Configuration, $"{where}: JSONPath \"{text}\" is not supported by the local runner ({why})");

        if (!text.StartsWith('$'))
        {
            throw Unsupported("it must start with $");
        }

        var isContext = text.StartsWith("$$", StringComparison.Ordinal);
        if (isContext && referenceOnly)
        {
            throw Unsupported("a ResultPath cannot write to the context object");
        }

        var steps = new List<object>();
        var i = isContext ? 2 : 1;
        while (i < text.Length)
        {
            steps.Add(text[i] switch
            {
                '.' => Field(text, ref i, Unsupported),
                '[' => Bracket(text, ref i, referenceOnly, Unsupported),
                _ => throw Unsupported($"unexpected '{text[i]}'"),
            });
        }

        return new JsonPath(text, isContext, [.. steps]);
    }

    /// <summary>The field after the '.' at <paramref name="i"/>, which moves to the next '.' or '['.</summary>
    private static string Field(string text, ref int i, Func<string, PipelineException> unsupported)
    {
        var start = ++i;
        while (i < text.Length && text[i] is not ('.' or '['))
        {
            i++;
        }

        var name = text[start..i];
        if (name.Length == 0 || name.Any(c => c is '*' or '@' or '?' or '(' or ')' or ',' or ' ' or ']' or '\'' or '"'))
        {
            throw unsupported($"field \"{name}\"");
        }

        return name;
    }

    /// <summary>The ['field'] or [index] at <paramref name="i"/>, which moves past its ']'; a reference path takes fields only.</summary>
    private static object Bracket(string text, ref int i, bool referenceOnly, Func<string, PipelineException> unsupported)
    {
        var end = text.IndexOf(']', i);
        if (end < 0)
        {
            throw unsupported("unclosed [");
        }

        var inner = text[(i + 1)..end];
        i = end + 1;
        // A step is a field name (string) or an array index (int), as TrySelect reads them.
        object step = inner.Length >= 2 && inner[0] == '\'' && inner[^1] == '\'' && !inner[1..^1].Contains('\'', StringComparison.Ordinal)
            ? inner[1..^1]
            : !referenceOnly && int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? index
                : throw unsupported($"[{inner}]");
        return step;
    }

    /// <summary>Selects the node the path names; false when a step is missing.</summary>
    public bool TrySelect(JsonNode? root, out JsonNode? value) => TrySelect(root, out value, out _);

    /// <summary>
    /// Why an InputPath or OutputPath found nothing, in the words AWS uses (Jayway JsonPath's): the
    /// last step missing is "No results for path: $['a']['b']", an earlier one "Missing property in
    /// path $['a']" (LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json,
    /// test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_OUTPUTPATH] and test_catch_states_runtime).
    /// </summary>
    public string DescribeMiss(JsonNode? root)
    {
        TrySelect(root, out _, out var missing);
        return missing == _steps.Length - 1
            ? $"No results for path: {Brackets(_steps.Length)}"
            : $"Missing property in path {Brackets(missing + 1)}";
    }

    private string Brackets(int count) =>
        "$" + string.Concat(_steps.Take(count).Select(step => step is int index ? $"[{index}]" : $"['{step}']"));

    private bool TrySelect(JsonNode? root, out JsonNode? value, out int missing)
    {
        value = root;
        for (missing = 0; missing < _steps.Length; missing++)
        {
            switch (_steps[missing])
            {
                case string name when value is JsonObject obj && obj.TryGetPropertyValue(name, out var child):
                    value = child;
                    break;
                case int index when value is JsonArray array && index < array.Count:
                    value = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Returns a copy of <paramref name="input"/> with <paramref name="value"/> written where the path
    /// points. Where it cannot be written (the input or a field on the way is not an object) the
    /// error is States.Runtime, which nothing catches, as moto 5.2.1's interpreter has it; AWS's wording
    /// of that cause is not recorded, so the text after the AWS prefix is ours.
    /// </summary>
    public JsonNode? Write(JsonNode? input, JsonNode? value, Func<string, StatesErrorException> runtime)
    {
        if (IsRoot)
        {
            return value;
        }

        if (input is not JsonObject)
        {
            throw runtime($"Unable to apply ResultPath '{Text}': the state input is {Kind(input)}, not a JSON object.");
        }

        var root = input.DeepClone().AsObject();
        var node = root;
        for (var i = 0; i < _steps.Length - 1; i++)
        {
            var name = (string)_steps[i];
            if (!node.TryGetPropertyValue(name, out var child) || child is null)
            {
                child = new JsonObject();
                node[name] = child;
            }
            else if (child is not JsonObject)
            {
                throw runtime($"Unable to apply ResultPath '{Text}': the field '{name}' is {Kind(child)}, not a JSON object.");
            }

            node = child.AsObject();
        }

        node[(string)_steps[^1]] = value;
        return root;
    }

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}
