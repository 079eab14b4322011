using CryptoEtl.Core;

namespace CryptoEtl.Report.Tests;

public sealed class MarketReportTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TestWarehouse _warehouse = new();

    public void Dispose() => _warehouse.Dispose();

    /// <summary>25 coins: bitcoin, ethereum, 21 alts, one without market cap, one without 24h change.</summary>
    private static List<TestCoin> LatestCoins()
    {
        var coins = new List<TestCoin>
        {
            new("bitcoin", 1_000e9, 2.0, MarketCapChange24h: 19.6e9, TotalVolume: 50e9, Price: 100_000, Rank: 1, GlobalDominance: 52.5, Name: "Bitcoin", Symbol: "btc"),
            new("ethereum", 400e9, -3.0, MarketCapChange24h: -12.4e9, TotalVolume: 30e9, Price: 3_300, Rank: 2, GlobalDominance: 17.25, Name: "Ethereum", Symbol: "eth"),
        };
        for (var i = 1; i <= 21; i++)
        {
            coins.Add(new TestCoin($"alt{i:00}", (30 - i) * 1e9, ((i * 7) % 23) - 11 + 0.5, MarketCapChange24h: i % 3 == 0 ? null : i * 1e8, TotalVolume: i * 1e8, Price: i / 10.0, Rank: i + 2));
        }

        coins.Add(new TestCoin("nocap", null, 40.0, MarketCapChange24h: 5e9, TotalVolume: 1e6, Price: 0.001));
        coins.Add(new TestCoin("nochange", 5e9, null, TotalVolume: 2e6, Price: 2, Rank: 24));
        // dominance_percentage as Transform computes it: the coin's share of the snapshot's market cap.
        var total = coins.Sum(c => c.MarketCap ?? 0);
        return [.. coins.Select(c => c with { Dominance = c.MarketCap / total * 100 })];
    }

    private async Task<List<TestCoin>> FillAsync()
    {
        var latest = LatestCoins();
        await _warehouse.InsertAsync(T0, "eur", [new("bitcoin", 800e9, 1, GlobalDominance: 49), new("ethereum", 300e9, 1, GlobalDominance: 18)]);
        await _warehouse.InsertAsync(T1, "usd", [new("bitcoin", 900e9, 1, TotalVolume: 40e9, GlobalDominance: 50.5), new("ethereum", 350e9, -1, GlobalDominance: 18.5), new("alt01", 20e9, 3)]);
        await _warehouse.InsertAsync(T2, "usd", latest);
        return latest;
    }

    private Task<ReportData> BuildAsync() => MarketReport.BuildAsync(_warehouse.DatabasePath, store: null, CancellationToken.None);

    [Fact]
    public async Task Headline_figures_are_the_latest_snapshots()
    {
        var coins = await FillAsync();

        var report = await BuildAsync();

        var latest = report.Latest;
        Assert.Equal(T2, latest.FetchTime);
        Assert.Equal("usd", latest.VsCurrency);
        Assert.Equal(25, latest.Coins);
        Assert.Equal(coins.Sum(c => c.MarketCap ?? 0), latest.TotalMarketCap!.Value, 1e-3);
        Assert.Equal(coins.Sum(c => c.TotalVolume ?? 0), latest.TotalVolume!.Value, 1e-3);
        Assert.Equal(100_000, latest.BtcPrice);
        Assert.Equal(3_300, latest.EthPrice);
        Assert.Equal(52.5, latest.BtcDominance);
        Assert.Equal(17.25, latest.EthDominance);
        Assert.Equal(coins.Count(c => c.PriceChangePercentage24h > 0), latest.Gainers24h);
        Assert.Equal(coins.Count(c => c.PriceChangePercentage24h < 0), latest.Losers24h);
        Assert.Equal(Median(coins.Where(c => c.PriceChangePercentage24h is not null).Select(c => c.PriceChangePercentage24h!.Value)), latest.MedianPriceChangePercentage24h!.Value, 1e-9);
        Assert.Null(report.RowsRejected);

        // The 24h change counts only coins with both a market cap and a change (not "nocap").
        var changed = coins.Where(c => c.MarketCap is not null && c.MarketCapChange24h is not null).ToList();
        var change = changed.Sum(c => c.MarketCapChange24h!.Value);
        var before = changed.Sum(c => c.MarketCap!.Value - c.MarketCapChange24h!.Value);
        Assert.Equal(change, report.Snapshot.MarketCapChange24h!.Value, 1e-3);
        Assert.Equal(100 * change / before, report.Snapshot.MarketCapChangePercentage24h!.Value, 1e-9);
        var total = coins.Sum(c => c.MarketCap ?? 0);
        Assert.Equal(100 * 1_000e9 / total, report.Snapshot.BtcDominance!.Value, 1e-9);
        Assert.Equal(100 * 400e9 / total, report.Snapshot.EthDominance!.Value, 1e-9);
    }

    [Fact]
    public async Task Top_20_is_ordered_by_market_cap_and_skips_coins_without_one()
    {
        var coins = await FillAsync();

        var report = await BuildAsync();

        var expected = coins.Where(c => c.MarketCap is not null).OrderByDescending(c => c.MarketCap).Take(20).Select(c => c.Id).ToList();
        Assert.Equal(expected, report.TopByMarketCap.Select(c => c.Id).ToList());
        var bitcoin = report.TopByMarketCap[0];
        Assert.Equal(("Bitcoin", "btc", 1L, 100_000.0, 1_000e9, 2.0), (bitcoin.Name, bitcoin.Symbol, bitcoin.Rank!.Value, bitcoin.Price!.Value, bitcoin.MarketCap!.Value, bitcoin.PriceChangePercentage24h!.Value));
    }

    [Fact]
    public async Task Dominance_share_is_the_top_10_and_the_rest_as_others()
    {
        var coins = await FillAsync();

        var report = await BuildAsync();

        var top10 = coins.Where(c => c.MarketCap is not null).OrderByDescending(c => c.MarketCap).Take(10).ToList();
        Assert.Equal(11, report.DominanceShare.Count);
        Assert.Equal(top10.Select(c => c.Id), report.DominanceShare.Take(10).Select(s => s.Id));
        Assert.Equal("BTC", report.DominanceShare[0].Label);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(top10[i].Dominance!.Value, report.DominanceShare[i].Percentage, 1e-9);
        }

        var others = report.DominanceShare[10];
        Assert.Null(others.Id);
        Assert.Equal(100 - top10.Sum(c => c.Dominance!.Value), others.Percentage, 1e-9);
        Assert.Equal(100, report.DominanceShare.Sum(s => s.Percentage), 1e-9);
    }

    [Fact]
    public async Task Gainers_and_losers_are_the_10_largest_moves_each_way()
    {
        var coins = await FillAsync();

        var report = await BuildAsync();

        var withChange = coins.Where(c => c.PriceChangePercentage24h is not null).ToList();
        Assert.Equal(
            withChange.OrderByDescending(c => c.PriceChangePercentage24h).ThenByDescending(c => c.MarketCap ?? double.MinValue).Take(10).Select(c => c.Id),
            report.Gainers.Select(c => c.Id));
        Assert.Equal(
            withChange.OrderBy(c => c.PriceChangePercentage24h).ThenByDescending(c => c.MarketCap ?? double.MinValue).Take(10).Select(c => c.Id),
            report.Losers.Select(c => c.Id));
        Assert.Equal("nocap", report.Gainers[0].Id);
        Assert.DoesNotContain(report.Gainers.Concat(report.Losers), c => c.Id == "nochange");
    }

    [Fact]
    public async Task Histogram_bins_count_every_coin_with_a_change()
    {
        var coins = await FillAsync();

        var report = await BuildAsync();

        var changes = coins.Where(c => c.PriceChangePercentage24h is not null).Select(c => c.PriceChangePercentage24h!.Value).ToList();
        var histogram = report.PriceChanges;
        Assert.Equal(changes.Count, histogram.Total);
        foreach (var bin in histogram.Bins)
        {
            Assert.Equal(changes.Count(v => (bin.From is not { } from || v >= from) && (bin.To is not { } to || v < to)), bin.Count);
        }

        // Bins tile the axis: each starts where the previous ended.
        for (var i = 1; i < histogram.Bins.Count; i++)
        {
            Assert.Equal(histogram.Bins[i - 1].To, histogram.Bins[i].From);
        }
    }

    [Fact]
    public async Task Histogram_bin_width_follows_the_central_96_percent()
    {
        // quantile_cont: 2 % -> -3.104, 98 % -> 22.228; half-range 22.228 / 10 bins -> 2.5 wide.
        double[] changes = [-3.5, -0.2, 0, 0.4, 1.0, 1.9, 25];
        await _warehouse.InsertAsync(T2, "usd", changes.Select((v, i) => new TestCoin($"c{i}", 1e9 - i, v)));

        var histogram = (await BuildAsync()).PriceChanges;

        Assert.Equal(2.5, histogram.BinWidth);
        // 20 closed bins from -25 to 25, the open top bin (>= 25); the empty open bottom bin is left out.
        Assert.Equal(21, histogram.Bins.Count);
        Assert.Equal(new HistogramBin(-25, -22.5, 0), histogram.Bins[0]);
        Assert.Equal(new HistogramBin(-5, -2.5, 1), histogram.Bins.Single(b => b.From == -5));
        Assert.Equal(new HistogramBin(-2.5, 0, 1), histogram.Bins.Single(b => b.From == -2.5));
        Assert.Equal(new HistogramBin(0, 2.5, 4), histogram.Bins.Single(b => b.From == 0));
        Assert.Equal(new HistogramBin(25, null, 1), histogram.Bins[^1]);
        Assert.Equal(7, histogram.Total);
    }

    [Fact]
    public async Task History_has_one_point_per_snapshot_of_the_latest_currency()
    {
        await FillAsync();

        var report = await BuildAsync();

        Assert.Equal([T1, T2], report.History.Select(h => h.FetchTime));
        Assert.All(report.History, h => Assert.Equal("usd", h.VsCurrency));
        Assert.Equal(900e9 + 350e9 + 20e9, report.History[0].TotalMarketCap!.Value, 1e-3);
        Assert.Equal(50.5, report.History[0].BtcDominance);
        Assert.Equal(3, report.History[0].Coins);
        Assert.Same(report.Latest, report.History[^1]);
    }

    [Fact]
    public async Task The_newest_snapshot_picks_the_currency_even_when_another_has_more_history()
    {
        await FillAsync();
        var later = T2.AddHours(1);
        await _warehouse.InsertAsync(later, "eur", [new("bitcoin", 850e9, -1, GlobalDominance: 51), new("solana", 90e9, 4)]);

        var report = await BuildAsync();

        Assert.Equal(("eur", later, 2), (report.Latest.VsCurrency, report.Latest.FetchTime, report.Latest.Coins));
        Assert.Equal(["bitcoin", "solana"], report.TopByMarketCap.Select(c => c.Id));
        Assert.Equal([T0, later], report.History.Select(h => h.FetchTime));
    }

    [Fact]
    public async Task An_empty_warehouse_is_an_error_that_says_so()
    {
        await _warehouse.InsertAsync(T2, "usd", []);

        var error = await Assert.ThrowsAsync<PipelineException>(() => BuildAsync());

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Contains("has no snapshot in crypto_data", error.Message, StringComparison.Ordinal);
        Assert.Contains(_warehouse.DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_warehouse_is_an_error_and_is_not_created()
    {
        var error = await Assert.ThrowsAsync<PipelineException>(() => BuildAsync());

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Contains(_warehouse.DatabasePath, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_warehouse.DatabasePath));
    }

    [Theory]
    [InlineData(0.31, 0.5)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.51, 1)]
    [InlineData(1.5, 2)]
    [InlineData(2.2228, 2.5)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(12, 20)]
    [InlineData(0.04, 0.05)]
    [InlineData(0, 1)]
    public void Nice_steps_round_up_to_a_readable_width(double raw, double expected) =>
        Assert.Equal(expected, MarketReport.NiceStep(raw), 1e-12);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
