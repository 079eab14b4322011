namespace CryptoEtl.Report;

/// <summary>
/// The report's trends section, from the trend views (v_coin_history, v_movers): present only
/// when the warehouse holds the latest currency's snapshots over more than one hour.
/// </summary>
public sealed record TrendFigures
{
    /// <summary>The first and newest snapshot of the history shown.</summary>
    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    /// <summary>The newest backfilled bucket (rows from CoinGecko's market_chart, docs/backfill.md); null when nothing is backfilled.</summary>
    public DateTimeOffset? BackfilledUntil { get; init; }

    /// <summary>The largest coins' prices over the last <see cref="TrendReport.SparklineDays"/> days, largest coin first.</summary>
    public required IReadOnlyList<CoinSparkline> Sparklines { get; init; }

    /// <summary>The newest snapshot's biggest moves over 24 h by our own snapshots (v_movers, window 24h).</summary>
    public required IReadOnlyList<TrendMover> Movers24h { get; init; }
}

/// <summary>A coin's price points, oldest first, and its changes from our own snapshots (null without a reference).</summary>
public sealed record CoinSparkline(CoinFigures Coin, IReadOnlyList<PricePoint> Points, double? Change24h, double? Change7d);

public sealed record PricePoint(DateTimeOffset Time, double Price);

/// <summary>
/// A row of v_movers: our 24 h change (against <paramref name="ReferenceTime"/>'s snapshot) and the rank change
/// (positive: climbed); <c>Coin.PriceChangePercentage24h</c> is CoinGecko's own 24 h change, shown beside ours.
/// </summary>
public sealed record TrendMover(CoinFigures Coin, DateTimeOffset ReferenceTime, double Change, long? RankChange);
