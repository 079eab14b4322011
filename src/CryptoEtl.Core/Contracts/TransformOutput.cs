using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

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
