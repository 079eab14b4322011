using System.Text.Json;
using System.Text.RegularExpressions;
using CryptoEtl.Testing;

namespace CryptoEtl.Report.Tests;

/// <summary>The report over a real pipeline run of the recorded market, checked against the recording itself.</summary>
public sealed class RecordedReportTests : IDisposable
{
    private static readonly DateTimeOffset FetchTime = new(2024, 12, 19, 10, 45, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed record RecordedCoin(string Id, double? MarketCap, double? TotalVolume, double? Change);

    private static List<RecordedCoin> RecordedCoins()
    {
        using var json = JsonDocument.Parse(RecordedRun.MarketPage);
        return [.. json.RootElement.EnumerateArray().Select(c => new RecordedCoin(
            c.GetProperty("id").GetString()!,
            Number(c, "market_cap"),
            Number(c, "total_volume"),
            Number(c, "price_change_percentage_24h")))];
    }

    private static double? Number(JsonElement coin, string name) =>
        coin.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    [Fact]
    public async Task Figures_of_a_recorded_run_match_the_recording()
    {
        var run = new RecordedRun(_dir.FullPath);
        var transform = await run.RunAsync(FetchTime);
        var coins = RecordedCoins();

        var report = await MarketReport.BuildAsync(run.DatabasePath, run.Store, CancellationToken.None);

        Assert.Equal(FetchTime, report.Latest.FetchTime);
        Assert.Equal(transform.Rows, report.Latest.Coins);
        Assert.Equal(coins.Count - transform.Rows, report.RowsRejected);
        Assert.Equal(transform.Rejected, report.RowsRejected);
        Assert.Equal(coins.Sum(c => c.MarketCap ?? 0), report.Latest.TotalMarketCap!.Value, 1.0);
        Assert.Equal(coins.Sum(c => c.TotalVolume ?? 0), report.Latest.TotalVolume!.Value, 1.0);
        Assert.Equal(
            coins.Where(c => c.MarketCap is not null).OrderByDescending(c => c.MarketCap).Take(20).Select(c => c.Id),
            report.TopByMarketCap.Select(c => c.Id));
        Assert.Equal(coins.Count(c => c.Change is not null), report.PriceChanges.Total);
        Assert.Equal(coins.Max(c => c.Change), report.Gainers[0].PriceChangePercentage24h);
        Assert.Equal(coins.Min(c => c.Change), report.Losers[0].PriceChangePercentage24h);
        Assert.Equal(100, report.DominanceShare.Sum(s => s.Percentage), 1e-6);
        Assert.Single(report.History);
    }

    [Fact]
    public async Task Two_recorded_runs_draw_both_lines_and_every_chart()
    {
        var run = new RecordedRun(_dir.FullPath);
        await run.RunAsync(FetchTime.AddHours(-1));
        await run.RunAsync(FetchTime);

        var report = await MarketReport.BuildAsync(run.DatabasePath, run.Store, CancellationToken.None);
        var html = ReportHtml.Render(report);

        Assert.Equal(2, report.History.Count);
        Assert.Equal(20, Count(html, "<rect class=\"bar\""));
        Assert.Equal(11, Count(html, "<circle class=\"slice\""));
        Assert.Equal(report.PriceChanges.Bins.Count, Count(html, "<rect class=\"bin "));
        Assert.Equal(4, Count(html, "<circle class=\"point\""));
        Assert.Equal(20, Count(html, "<tr class=\"mover\""));
        // The recording's /global (2022) is not of the market's day (2024): no global dominance, and the page says so.
        Assert.All(report.History, t => Assert.Null(t.BtcDominance));
        Assert.Contains("Bitcoin share of the coins loaded over time", html, StringComparison.Ordinal);
        Assert.Equal(2, Count(html, "of the coins loaded (no usable global total)"));
    }

    private static int Count(string html, string text) => Regex.Count(html, Regex.Escape(text));
}
