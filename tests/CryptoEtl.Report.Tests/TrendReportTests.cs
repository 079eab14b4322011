namespace CryptoEtl.Report.Tests;

/// <summary>The report's trends section: built from the trend views, shown only over more than an hour of history.</summary>
public sealed class TrendReportTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private const string Hostile = "<script>alert(1)</script> & Co";
    private readonly TestWarehouse _warehouse = new();

    public void Dispose() => _warehouse.Dispose();

    private Task<ReportData> BuildAsync() => MarketReport.BuildAsync(_warehouse.DatabasePath, store: null, CancellationToken.None);

    private static TestCoin Coin(string id, double price, long rank, double? coinGecko24h = null, string? name = null) =>
        new(id, price * 1e6, coinGecko24h, Price: price, Rank: rank, Name: name);

    [Fact]
    public async Task One_hour_of_snapshots_or_less_has_no_trends_section()
    {
        foreach (var minutes in new[] { 0, 30, 60 })
        {
            await _warehouse.InsertAsync(T0.AddMinutes(minutes), "usd", [Coin("bitcoin", 100 + minutes, 1)]);
        }

        var report = await BuildAsync();

        Assert.Null(report.Trends);
        Assert.DoesNotContain("id=\"trend-", ReportHtml.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sparklines_and_24h_movers_come_from_our_own_snapshots()
    {
        // bitcoin throughout; ethereum from 12 h; "hostile" gone after 12 h; newcoin only in the
        // last two snapshots. The newest is 24.5 h: its 24 h reference is the newest snapshot
        // within [-0.5 h, 0.5 h] (24 h plus the 1 h tolerance), i.e. 0 h.
        await _warehouse.InsertAsync(T0, "usd", [Coin("bitcoin", 100, 1), Coin("hostile", 10, 2, name: Hostile)]);
        await _warehouse.InsertAsync(T0.AddHours(12), "usd", [Coin("bitcoin", 110, 1), Coin("ethereum", 50, 2), Coin("hostile", 11, 3, name: Hostile)]);
        await _warehouse.InsertAsync(T0.AddHours(24), "usd", [Coin("bitcoin", 90, 1), Coin("ethereum", 60, 2), Coin("newcoin", 1, 4)]);
        await _warehouse.InsertAsync(T0.AddHours(-30), "eur", [Coin("bitcoin", 1, 1)]); // another currency: not in the usd trend
        await _warehouse.InsertAsync(T0.AddHours(24.5), "usd", [Coin("bitcoin", 120, 1, coinGecko24h: 7.5), Coin("ethereum", 45, 3), Coin("newcoin", 2, 2)]);

        var report = await BuildAsync();

        var trends = Assert.IsType<TrendFigures>(report.Trends);
        Assert.Equal("usd", report.Latest.VsCurrency);
        Assert.Equal((T0, T0.AddHours(24.5)), (trends.From, trends.To));

        // Top coins by market cap in the newest snapshot: bitcoin 120e6, ethereum 45e6, newcoin 2e6.
        Assert.Equal(["bitcoin", "ethereum", "newcoin"], trends.Sparklines.Select(s => s.Coin.Id));
        var bitcoin = trends.Sparklines[0];
        Assert.Equal([100.0, 110, 90, 120], bitcoin.Points.Select(p => p.Price));
        Assert.Equal(100 * (120 - 100) / 100.0, bitcoin.Change24h);
        Assert.Null(bitcoin.Change7d);
        Assert.Equal([50.0, 60, 45], trends.Sparklines[1].Points.Select(p => p.Price));

        // Only bitcoin has a row within the window; ethereum (from 12 h) and newcoin do not.
        var mover = Assert.Single(trends.Movers24h);
        Assert.Equal("bitcoin", mover.Coin.Id);
        Assert.Equal(T0, mover.ReferenceTime);
        Assert.Equal(20.0, mover.Change);
        Assert.Equal(7.5, mover.Coin.PriceChangePercentage24h);
        Assert.Equal(0L, mover.RankChange);
    }

    [Fact]
    public async Task A_reference_older_than_the_tolerance_gives_no_change_and_no_mover()
    {
        // The newest is 26 h: 24 h before it is 2 h, and the only earlier snapshot (0 h) lies 2 h
        // before that, beyond the 1 h tolerance. Against it, bitcoin would show +20 % "in 24 h".
        await _warehouse.InsertAsync(T0, "usd", [Coin("bitcoin", 100, 1)]);
        await _warehouse.InsertAsync(T0.AddHours(26), "usd", [Coin("bitcoin", 120, 1)]);

        var report = await BuildAsync();

        var trends = Assert.IsType<TrendFigures>(report.Trends);
        Assert.Null(Assert.Single(trends.Sparklines).Change24h);
        Assert.Empty(trends.Movers24h);
        Assert.Contains("No coin has a snapshot", ReportHtml.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_section_draws_a_line_per_coin_and_escapes_names()
    {
        await _warehouse.InsertAsync(T0, "usd", [Coin("bitcoin", 100, 1), Coin("hostile", 10, 3, name: Hostile)]);
        await _warehouse.InsertAsync(T0.AddHours(24), "usd", [Coin("bitcoin", 90, 1), Coin("hostile", 30, 2, name: Hostile)]);
        await _warehouse.InsertAsync(T0.AddHours(25), "usd", [Coin("bitcoin", 95, 1), Coin("hostile", 40, 2, name: Hostile)]);

        var html = ReportHtml.Render(await BuildAsync());

        Assert.Contains("<section class=\"card\" id=\"trend-sparklines\" data-points=\"2\">", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<polyline class=\"spark-line").Length - 1);
        Assert.Contains("data-points=\"3\"", html, StringComparison.Ordinal);
        // hostile: 10 -> 40 is +300 %, bitcoin 100 -> 95 is -5 %: hostile moves most; it climbed 3 -> 2.
        Assert.Contains("<section class=\"card\" id=\"trend-movers-24h\" data-points=\"2\">", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("class=\"trend-mover\" data-coin=\"hostile\"", StringComparison.Ordinal) < html.IndexOf("class=\"trend-mover\" data-coin=\"bitcoin\"", StringComparison.Ordinal));
        Assert.Contains(">+300.0 %<", html, StringComparison.Ordinal);
        Assert.Contains(">+1<", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_history_is_thinned_to_the_sparkline_limit_and_ends_on_the_newest_price()
    {
        // 400 snapshots 15 minutes apart (100 h, inside the 7 days shown): every 3rd point is kept.
        const int snapshots = 400;
        for (var i = 0; i < snapshots; i++)
        {
            await _warehouse.InsertAsync(T0.AddMinutes(15 * i), "usd", [Coin("bitcoin", 1000 + i, 1)]);
        }

        var line = Assert.Single(Assert.IsType<TrendFigures>((await BuildAsync()).Trends).Sparklines);

        var stride = (int)Math.Ceiling(snapshots / (double)TrendReport.MaxSparklinePoints);
        Assert.Equal(3, stride);
        var expected = Enumerable.Range(0, snapshots).Where(i => (snapshots - 1 - i) % stride == 0).Select(i => 1000.0 + i).ToList();
        Assert.Equal(expected, line.Points.Select(p => p.Price));
        Assert.Equal(1000.0 + snapshots - 1, line.Points[^1].Price);
    }
}
