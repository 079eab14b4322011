using System.Data.Common;
using System.Globalization;
using CryptoEtl.DuckDb;

namespace CryptoEtl.Report;

/// <summary>The report's trends section, read from the trend views inside the report's read transaction.</summary>
public static class TrendReport
{
    public const int SparklineCoins = 10;
    public const int SparklineDays = 7;

    /// <summary>A sparkline keeps at most this many points (every n-th snapshot), so a year of 15-minute history stays small.</summary>
    public const int MaxSparklinePoints = 168;

    public const int Movers = 10;

    /// <summary>A history shorter than this has no trend worth a section.</summary>
    public static readonly TimeSpan MinimumSpan = TimeSpan.FromHours(1);

    /// <summary>The trends of <paramref name="vsCurrency"/>'s history; null when its snapshots span one hour or less.</summary>
    public static async Task<TrendFigures?> BuildAsync(DbConnection connection, string vsCurrency, IReadOnlyList<CoinFigures> topCoins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topCoins);
        var currency = MarketReport.Literal(vsCurrency);
        var span = MarketReport.Rows(await MarketReport.QueryAsync(
            connection,
            $"SELECT min(fetch_time) AS first, max(fetch_time) AS last FROM {TrendViews.MarketTimeseries} WHERE vs_currency = {currency}",
            cancellationToken)).Single();
        if (span.Values.Any(v => v is null))
        {
            return null;
        }

        var (first, last) = (span.Time("first"), span.Time("last"));
        if (last - first <= MinimumSpan)
        {
            return null;
        }

        return new TrendFigures
        {
            From = first,
            To = last,
            Sparklines = await SparklinesAsync(connection, currency, [.. topCoins.Take(SparklineCoins)], last, cancellationToken),
            Movers24h = await MoversAsync(connection, currency, cancellationToken),
        };
    }

    /// <summary>Each coin's prices over the last <see cref="SparklineDays"/> days before <paramref name="last"/>, and its 24h and 7d changes.</summary>
    private static async Task<List<CoinSparkline>> SparklinesAsync(DbConnection connection, string currency, List<CoinFigures> coins, DateTimeOffset last, CancellationToken cancellationToken)
    {
        if (coins.Count == 0)
        {
            return [];
        }

        var from = last.AddDays(-SparklineDays);
        var ids = string.Join(", ", coins.Select(c => MarketReport.Literal(c.Id)));
        var history = MarketReport.Rows(await MarketReport.QueryAsync(
            connection,
            string.Create(
                CultureInfo.InvariantCulture,
                $"""
                SELECT id, fetch_time, current_price
                FROM {TrendViews.CoinHistory}
                WHERE vs_currency = {currency} AND fetch_time >= TIMESTAMPTZ '{from:O}' AND current_price IS NOT NULL AND id IN ({ids})
                ORDER BY id, fetch_time
                """),
            cancellationToken)).ToLookup(r => r.Text("id"));
        // The newest snapshot's own changes; v_movers has them without computing every snapshot's.
        var changes = MarketReport.Rows(await MarketReport.QueryAsync(
            connection,
            $"SELECT id, change_window, price_change_percentage FROM {TrendViews.Movers} WHERE vs_currency = {currency} AND id IN ({ids})",
            cancellationToken)).ToDictionary(r => (r.Text("id"), r.Text("change_window")), r => r.Number("price_change_percentage"));

        return [.. coins.Select(coin =>
        {
            var rows = history[coin.Id].ToList();
            var stride = Math.Max(1, (int)Math.Ceiling(rows.Count / (double)MaxSparklinePoints));
            // Every n-th point counted back from the newest, so the line always ends on the latest price.
            var points = rows.Where((_, i) => (rows.Count - 1 - i) % stride == 0)
                .Select(r => new PricePoint(r.Time("fetch_time"), r.Number("current_price")!.Value))
                .ToList();
            return new CoinSparkline(coin, points, changes.GetValueOrDefault((coin.Id, "24h")), changes.GetValueOrDefault((coin.Id, "7d")));
        })];
    }

    private static async Task<List<TrendMover>> MoversAsync(DbConnection connection, string currency, CancellationToken cancellationToken) =>
        [.. MarketReport.Rows(await MarketReport.QueryAsync(
            connection,
            string.Create(
                CultureInfo.InvariantCulture,
                $"""
                SELECT id, symbol, name, market_cap_rank, current_price, market_cap, reference_time, price_change_percentage,
                    coingecko_price_change_percentage_24h AS price_change_percentage_24h, rank_change
                FROM {TrendViews.Movers}
                WHERE vs_currency = {currency} AND change_window = '24h' AND mover_rank <= {Movers}
                ORDER BY mover_rank
                """),
            cancellationToken)).Select(r => new TrendMover(
                MarketReport.ReadCoin(r),
                r.Time("reference_time"),
                r.Number("price_change_percentage")!.Value,
                (long?)r.Number("rank_change")))];
}
