using System.Text.Json;
using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

// The JSON each step takes and returns: the Lambda payloads, the state machine's data and the
// CLI's --input/stdout. Only keys, counts and the fetch time travel; never the data itself.

/// <summary>Input of Extract. Every field is optional; null means the default.</summary>
public sealed record ExtractInput
{
    /// <summary>A page count ("2") or "all" (sweep until CoinGecko returns an empty page).</summary>
    [JsonPropertyName("pages")]
    [JsonConverter(typeof(PageCountJsonConverter))]
    public PageCount? Pages { get; init; }

    [JsonPropertyName("per_page")]
    public int? PerPage { get; init; }

    [JsonPropertyName("vs_currency")]
    public string? VsCurrency { get; init; }

    /// <summary>Pins the snapshot time so a re-run writes the same keys (idempotent re-runs).</summary>
    [JsonPropertyName("fetch_time")]
    public DateTimeOffset? FetchTime { get; init; }

    /// <summary>Replace a stored snapshot of this fetch_time even when the new one has far fewer coins.</summary>
    [JsonPropertyName("force")]
    public bool? Force { get; init; }
}

public sealed record ExtractOutput
{
    [JsonPropertyName("fetch_time")]
    public required DateTimeOffset FetchTime { get; init; }

    [JsonPropertyName("vs_currency")]
    public required string VsCurrency { get; init; }

    [JsonPropertyName("raw_key")]
    public required string RawKey { get; init; }

    [JsonPropertyName("pages")]
    public required int Pages { get; init; }

    [JsonPropertyName("coins")]
    public required int Coins { get; init; }

    /// <summary>False when the run stopped before the end it asked for (deadline); see next_page.</summary>
    [JsonPropertyName("complete")]
    public bool Complete { get; init; } = true;

    [JsonPropertyName("next_page")]
    public int? NextPage { get; init; }
}

public sealed record TransformInput
{
    [JsonPropertyName("raw_key")]
    public required string RawKey { get; init; }
}

public sealed record TransformOutput
{
    [JsonPropertyName("fetch_time")]
    public required DateTimeOffset FetchTime { get; init; }

    [JsonPropertyName("csv_key")]
    public required string CsvKey { get; init; }

    [JsonPropertyName("quality_key")]
    public required string QualityKey { get; init; }

    [JsonPropertyName("rows")]
    public required int Rows { get; init; }

    [JsonPropertyName("rejected")]
    public required int Rejected { get; init; }
}

public sealed record LoadInput
{
    [JsonPropertyName("csv_key")]
    public required string CsvKey { get; init; }

    [JsonPropertyName("fetch_time")]
    public required DateTimeOffset FetchTime { get; init; }

    /// <summary>The transform's row count; the load fails when the warehouse loaded another number.</summary>
    [JsonPropertyName("expected_rows")]
    public required int ExpectedRows { get; init; }
}

public sealed record LoadOutput
{
    [JsonPropertyName("fetch_time")]
    public required DateTimeOffset FetchTime { get; init; }

    [JsonPropertyName("table")]
    public required string Table { get; init; }

    [JsonPropertyName("rows_loaded")]
    public required int RowsLoaded { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(ExtractInput))]
[JsonSerializable(typeof(ExtractOutput))]
[JsonSerializable(typeof(TransformInput))]
[JsonSerializable(typeof(TransformOutput))]
[JsonSerializable(typeof(LoadInput))]
[JsonSerializable(typeof(LoadOutput))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;

/// <summary>Times in the step JSON as ISO 8601 UTC with Z, to the second, like fetch_time in the CSV.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TryGetDateTimeOffset(out var value)
            ? value
            : throw new JsonException($"expected an ISO 8601 time such as 2026-11-25T12:00:00Z, got {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(ObjectKeys.Iso(value));
    }
}
