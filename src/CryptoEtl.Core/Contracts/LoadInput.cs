using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

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
