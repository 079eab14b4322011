using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;

namespace CryptoEtl.CoinGecko;

public sealed partial class CoinGeckoClient
{
    /// <summary>
    /// The most days a keyless or Demo key may ask for: "Public API users are limited to querying
    /// historical data within the past 365 days" (CoinGecko's error 10012, quoted in
    /// github.com/SixPM-Software/waxtax/pull/8; docs.coingecko.com/reference/coins-id-market-chart).
    /// </summary>
    public const int PublicHistoryDays = 365;

    /// <summary>A paid plan reaches back to 2013 (CoinGecko's first data): about 5,000 days.</summary>
    public const int PaidHistoryDays = 5000;

    public int MaxHistoryDays => _options.Tier == CoinGeckoTier.Pro ? PaidHistoryDays : PublicHistoryDays;

    public double CallsPerMinute => _options.EffectiveCallsPerMinute;

    public string TierName => _options.TierName;

    /// <summary>
    /// /coins/{id}/market_chart?vs_currency=..&amp;days=N with automatic granularity
    /// (docs.coingecko.com/reference/coins-id-market-chart: 2-90 days hourly, above 90 days daily
    /// at 00:00 UTC), through the same pacer and retries as the markets pages.
    /// </summary>
    public Uri MarketChartUrl(string coinId, string vsCurrency, int days)
    {
        ArgumentNullException.ThrowIfNull(coinId);
        ArgumentNullException.ThrowIfNull(vsCurrency);
        return new Uri(string.Create(CultureInfo.InvariantCulture,
            $"{_baseUrl}/coins/{Uri.EscapeDataString(coinId)}/market_chart?vs_currency={Uri.EscapeDataString(vsCurrency)}&days={days}"));
    }

    public async Task<MarketChartResponse> GetMarketChartAsync(string coinId, string vsCurrency, int days, CancellationToken cancellationToken)
    {
        var url = MarketChartUrl(coinId, vsCurrency, days);
        var points = 0;
        var (json, source) = await GetAsync(url, body =>
        {
            var problem = MarketChart.Check(body, out var count);
            points = count;
            return problem;
        }, cancellationToken);
        return new MarketChartResponse(coinId, source, json, points);
    }
}
