using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

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
