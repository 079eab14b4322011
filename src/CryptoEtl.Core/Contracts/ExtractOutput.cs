using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

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
