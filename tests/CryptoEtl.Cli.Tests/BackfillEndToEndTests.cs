using System.Globalization;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// `cryptoetl backfill` through the real entry point against the market_chart stand-in
/// (MarketChartCoinGecko: CoinGecko's documented shape and refusals), into a fresh data folder,
/// then the usual `run`: the views and the report span the year, nothing counts twice.
/// </summary>
public sealed class BackfillEndToEndTests : IDisposable
{
    private const int Coins = 3;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_year_backfilled_then_a_run_gives_views_and_a_report_spanning_the_year_and_a_second_backfill_adds_no_row()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(Coins);
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);

        var backfill = await CliRunner.RunAsync(Backfill(standIn));
        var backfilled = await ScalarAsync("SELECT count(*) FROM crypto_data WHERE backfill_id IS NOT NULL");
        var run = await CliRunner.RunAsync("run", "--data-dir", _dir.FullPath, "--coingecko-url", standIn.BaseUrl.AbsoluteUri, "--rate", "60000");
        var rowsAfterRun = await ScalarAsync("SELECT count(*) FROM crypto_data");
        var again = await CliRunner.RunAsync(Backfill(standIn));

        Assert.True(backfill.Exit == 0, backfill.Error + backfill.Output);
        Assert.True(run.Exit == 0, run.Error + run.Output);
        Assert.True(again.Exit == 0, again.Error + again.Output);
        // 365 days at 00:00 UTC per coin, the last one today's.
        Assert.Equal(365L * Coins, backfilled);
        Assert.Contains($"backfill  {Coins}/{Coins} coin-", backfill.Output, StringComparison.Ordinal);
        // The run's snapshot takes today's bucket over: 364 backfilled days and the snapshot, nothing twice.
        Assert.Equal((364L * Coins) + Coins, rowsAfterRun);
        Assert.Equal(364L * Coins, await ScalarAsync("SELECT count(*) FROM v_coin_history WHERE backfill_id IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM (SELECT fetch_time, id FROM crypto_data GROUP BY ALL HAVING count(*) > 1)"));
        Assert.Equal(365L, await ScalarAsync("SELECT count(*) FROM v_market_timeseries"));
        Assert.Equal(today.AddDays(-364).UtcDateTime, await ScalarAsync("SELECT min(fetch_time) FROM v_market_timeseries"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM v_market_timeseries WHERE backfill_id IS NULL"));
        // A day's change between two backfilled days, computed by the trend view from the stand-in's prices.
        var day = today.AddDays(-10);
        var expected = 100 * ((MarketChartCoinGecko.Price("coin-1", day.ToUnixTimeMilliseconds()) / MarketChartCoinGecko.Price("coin-1", day.AddDays(-1).ToUnixTimeMilliseconds())) - 1);
        var change = (double)(await ScalarAsync($"SELECT price_change_percentage_24h FROM v_coin_changes WHERE id = 'coin-1' AND fetch_time = '{day:yyyy-MM-dd} 00:00:00+00'"))!;
        Assert.Equal(expected, change, 9);
        // The second backfill reuses every stored history and adds no row.
        Assert.Equal(rowsAfterRun, await ScalarAsync("SELECT count(*) FROM crypto_data"));
        Assert.All(standIn.ChartCalls.Values, calls => Assert.Equal(1, calls));
        Assert.Contains("stored already", again.Output, StringComparison.Ordinal);
        // The report's trends run from the first backfilled day and say which days are backfilled.
        var report = await File.ReadAllTextAsync(_dir.Combine("report.html"));
        Assert.Contains(today.AddDays(-364).ToString("d MMM yyyy", CultureInfo.InvariantCulture), report, StringComparison.Ordinal);
        Assert.Contains("backfilled", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_backfill_goes_on_with_the_next_coin_and_calls_coingecko_once_per_coin()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(Coins);
        var settings = new PipelineSettings
        {
            DataDir = _dir.FullPath,
            Given = new Dictionary<string, string> { [SettingNames.CoinGeckoApiUrl] = standIn.BaseUrl.AbsoluteUri, [SettingNames.CoinGeckoRatePerMinute] = "60000" },
        };
        using (var pipeline = new LocalPipeline(settings, _ => null))
        using (var kill = new CancellationTokenSource())
        {
            // Killed right after the second coin's history was stored.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackfillCommand.RunAsync(pipeline, new BackfillRequest { Days = 365, Top = Coins },
                (done, _, _) =>
                {
                    if (done == 2)
                    {
                        kill.Cancel();
                    }
                }, kill.Token));
        }

        var resumed = await CliRunner.RunAsync(Backfill(standIn));

        Assert.True(resumed.Exit == 0, resumed.Error + resumed.Output);
        Assert.Equal(2, CountOf(resumed.Output, "stored already"));
        Assert.Equal(1, CountOf(resumed.Output, "points, fetched"));
        Assert.Equal(Coins, standIn.ChartCalls.Count);
        Assert.All(standIn.ChartCalls.Values, calls => Assert.Equal(1, calls));
        Assert.Equal(365L * Coins, await ScalarAsync("SELECT count(*) FROM crypto_data"));
    }

    [Fact]
    public async Task Given_coin_ids_go_through_the_state_machine_input_in_place_of_its_default_top()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(Coins);
        var (first, left, last) = (standIn.CoinIds[0], standIn.CoinIds[1], standIn.CoinIds[2]);

        var backfill = await CliRunner.RunAsync("backfill", "--days", "365", "--coin-ids", $"{last},{first}", "--data-dir", _dir.FullPath,
            "--coingecko-url", standIn.BaseUrl.AbsoluteUri, "--rate", "60000");

        Assert.True(backfill.Exit == 0, backfill.Error + backfill.Output);
        Assert.Contains("backfill  2/2 ", backfill.Output, StringComparison.Ordinal);
        Assert.Equal(new[] { first, last }.Order(StringComparer.Ordinal), standIn.ChartCalls.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM crypto_data WHERE id = '{left}'"));
        Assert.Equal(365L * 2, await ScalarAsync("SELECT count(*) FROM crypto_data WHERE backfill_id IS NOT NULL"));
    }

    [Fact]
    public async Task A_backfill_beyond_a_demo_keys_year_is_refused_before_any_call()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(Coins);

        var (exit, _, error) = await CliRunner.RunAsync(new Dictionary<string, string> { ["COINGECKO_API_KEY"] = "CG-test" },
            "backfill", "--days", "400", "--top", "3", "--data-dir", _dir.FullPath, "--coingecko-url", standIn.BaseUrl.AbsoluteUri);

        Assert.Equal(1, exit);
        Assert.Contains("CryptoEtl.InvalidInput", error, StringComparison.Ordinal);
        Assert.Contains("past 365 days", error, StringComparison.Ordinal);
        Assert.Empty(standIn.Requests);
    }

    [Fact]
    public async Task A_backfill_after_snapshots_skips_the_day_they_cover()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(Coins);

        var run = await CliRunner.RunAsync("run", "--data-dir", _dir.FullPath, "--coingecko-url", standIn.BaseUrl.AbsoluteUri, "--rate", "60000");
        var backfill = await CliRunner.RunAsync(Backfill(standIn));

        Assert.True(run.Exit == 0, run.Error);
        Assert.True(backfill.Exit == 0, backfill.Error + backfill.Output);
        Assert.Equal(364L * Coins, await ScalarAsync("SELECT count(*) FROM crypto_data WHERE backfill_id IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM crypto_data WHERE backfill_id IS NOT NULL AND fetch_time >= current_date::TIMESTAMPTZ"));
    }

    [Fact]
    public async Task The_functions_refuse_a_backfill_input_with_another_field()
    {
        var settings = new PipelineSettings { DataDir = _dir.FullPath, Given = new Dictionary<string, string> { [SettingNames.CoinGeckoRatePerMinute] = "60000" } };
        using var pipeline = new LocalPipeline(settings, _ => null);

        var error = await Assert.ThrowsAsync<PipelineException>(() => pipeline.Functions["ExtractFunctionArn"](
            JsonNode.Parse("""{"backfill": {"days": 30}, "pages": 2}"""), default));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Contains("\"pages\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--backfill-days", "365", "--backfill-top", "100", "--tier", "demo" }, 0, "101 CoinGecko calls")]
    [InlineData(new[] { "--backfill-days", "400", "--tier", "demo" }, 1, "within the past 365 days")]
    [InlineData(new[] { "--backfill-days", "400", "--tier", "pro" }, 0, "101 CoinGecko calls")]
    [InlineData(new[] { "--every", "15m", "--pages", "3", "--backfill-days", "365", "--backfill-top", "100", "--tier", "demo" }, 1, "the demo tier allows 10,000 a month")]
    [InlineData(new[] { "--every", "15m", "--pages", "2", "--backfill-days", "365", "--backfill-top", "100", "--tier", "demo" }, 0, "9,029 of 10,000 calls a month with the schedule")]
    public async Task Plan_counts_a_backfill_against_the_tier_and_refuses_one_that_does_not_fit(string[] args, int exit, string expected)
    {
        var result = await CliRunner.RunAsync(["plan", .. args]);

        Assert.True(result.Exit == exit, result.Output + result.Error);
        Assert.Contains(expected, result.Output + result.Error, StringComparison.Ordinal);
    }

    private string[] Backfill(MarketChartCoinGecko standIn) =>
        ["backfill", "--days", "365", "--top", Coins.ToString(CultureInfo.InvariantCulture), "--data-dir", _dir.FullPath,
         "--coingecko-url", standIn.BaseUrl.AbsoluteUri, "--rate", "60000"];

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private async Task<object?> ScalarAsync(string sql) =>
        (await DuckDbQuery.RunAsync(_dir.Combine("warehouse.duckdb"), sql, default)).Rows.Single()[0];
}
