namespace CryptoEtl.Core;

/// <summary>One coin's market_chart answer as the source sent it, and how many price points it holds.</summary>
public sealed record MarketChartResponse(string CoinId, Uri Url, byte[] Json, int Points);

/// <summary>
/// A market that also serves each coin's history (CoinGecko's /coins/{id}/market_chart), through
/// the same pacing and retries as its pages: what a backfill reads (docs/backfill.md).
/// </summary>
public interface ICoinHistorySource : ICoinMarketSource
{
    /// <summary>How far back the key's plan may ask (public and Demo keys: 365 days).</summary>
    int MaxHistoryDays { get; }

    /// <summary>The calls a trailing minute allows (the pace of the calls).</summary>
    double CallsPerMinute { get; }

    /// <summary>keyless, demo or pro, for messages.</summary>
    string TierName { get; }

    Task<MarketChartResponse> GetMarketChartAsync(string coinId, string vsCurrency, int days, CancellationToken cancellationToken);
}
