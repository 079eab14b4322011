using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

public sealed record LoadOutput
{
    [JsonPropertyName("fetch_time")]
    public required DateTimeOffset FetchTime { get; init; }

    [JsonPropertyName("table")]
    public required string Table { get; init; }

    [JsonPropertyName("rows_loaded")]
    public required int RowsLoaded { get; init; }
}
