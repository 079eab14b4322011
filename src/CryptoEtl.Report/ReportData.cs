namespace CryptoEtl.Report;

/// <summary>Everything the report shows, computed from the warehouse; rendering only formats it.</summary>
public sealed record ReportData
{
    /// <summary>The newest snapshot's row of v_market_timeseries.</summary>
    public required MarketTotals Latest { get; init; }

    /// <summary>Figures of the newest snapshot the time series does not carry.</summary>
    public required SnapshotFigures Snapshot { get; init; }

    /// <summary>Rows the transform rejected for the latest snapshot; null when unknown.</summary>
    public int? RowsRejected { get; init; }

    /// <summary>The details of the data-quality checks that did not pass for the latest snapshot.</summary>
    public IReadOnlyList<string> QualityWarnings { get; init; } = [];

    /// <summary>The 20 largest coins by market cap, largest first.</summary>
    public required IReadOnlyList<CoinFigures> TopByMarketCap { get; init; }

    /// <summary>The 10 largest coins' share of the snapshot's market cap, then "others".</summary>
    public required IReadOnlyList<DominanceSlice> DominanceShare { get; init; }

    public required IReadOnlyList<CoinFigures> Gainers { get; init; }

    public required IReadOnlyList<CoinFigures> Losers { get; init; }

    public required PriceChangeHistogram PriceChanges { get; init; }

    /// <summary>One point per snapshot in the latest's currency, oldest first.</summary>
    public required IReadOnlyList<MarketTotals> History { get; init; }

    /// <summary>The trends section; null when the history spans one hour or less.</summary>
    public TrendFigures? Trends { get; init; }
}

/// <summary>A snapshot's market totals: one row of v_market_timeseries.</summary>
public sealed record MarketTotals
{
    public required DateTimeOffset FetchTime { get; init; }

    public required string VsCurrency { get; init; }

    public required int Coins { get; init; }

    public double? TotalMarketCap { get; init; }

    public double? TotalVolume { get; init; }

    public double? BtcPrice { get; init; }

    public double? EthPrice { get; init; }

    /// <summary>Bitcoin's share of the whole market (CoinGecko /global), in percent.</summary>
    public double? BtcDominance { get; init; }

    public double? EthDominance { get; init; }

    /// <summary>Bitcoin's share of the coins loaded (dominance_percentage): there even when /global is not.</summary>
    public double? BtcSnapshotDominance { get; init; }

    public double? MedianPriceChangePercentage24h { get; init; }

    public int Gainers24h { get; init; }

    public int Losers24h { get; init; }
}

public sealed record SnapshotFigures
{
    /// <summary>The 24h change of the loaded coins' market cap, over the coins that report one.</summary>
    public double? MarketCapChange24h { get; init; }

    /// <summary>That change against the same coins' market cap 24h earlier, in percent.</summary>
    public double? MarketCapChangePercentage24h { get; init; }

    /// <summary>Bitcoin's share of the coins loaded in this snapshot (dominance_percentage).</summary>
    public double? BtcDominance { get; init; }

    public double? EthDominance { get; init; }
}

public sealed record CoinFigures
{
    public required string Id { get; init; }

    public required string Symbol { get; init; }

    public required string Name { get; init; }

    public long? Rank { get; init; }

    public double? Price { get; init; }

    public double? MarketCap { get; init; }

    public double? PriceChangePercentage24h { get; init; }
}

/// <summary>A donut segment; <see cref="Id"/> is null for "others".</summary>
public sealed record DominanceSlice(string? Id, string Label, double Percentage);

/// <summary>
/// Counts of coins by 24h price change in bins of <see cref="BinWidth"/> points. The first bin is
/// open below and the last open above, so outliers are counted without stretching the axis.
/// </summary>
public sealed record PriceChangeHistogram(double BinWidth, IReadOnlyList<HistogramBin> Bins)
{
    public int Total => Bins.Sum(b => b.Count);
}

/// <summary>Coins with From &lt;= change &lt; To; a null bound is open.</summary>
public sealed record HistogramBin(double? From, double? To, int Count);
