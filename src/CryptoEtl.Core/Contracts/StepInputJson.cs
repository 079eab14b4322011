using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace CryptoEtl.Core;

/// <summary>
/// A step's input JSON to its contract, the one way every host does it (the Lambda event, the
/// local runner's payload, the CLI's --input): JSON null or JSON that is not the contract
/// (including an unknown field, which the contracts disallow) is InvalidInput naming the source.
/// </summary>
public static class StepInputJson
{
    /// <param name="utf8Json">The JSON.</param>
    /// <param name="type">The contract.</param>
    /// <param name="source">What the JSON is, for the message: "the event", "--input".</param>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> type, string source)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            return JsonSerializer.Deserialize(utf8Json, type)
                ?? throw new PipelineException(ErrorNames.InvalidInput, $"{source} is JSON null; expected a {typeof(T).Name} object");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"{source} is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    public static T Parse<T>(string json, JsonTypeInfo<T> type, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), type, source);
    }

    public static T Parse<T>(JsonNode? json, JsonTypeInfo<T> type, string source) =>
        Parse(json is null ? "null"u8 : Encoding.UTF8.GetBytes(json.ToJsonString()), type, source);
}
