using System.Globalization;
using System.Text;
using System.Text.Json;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// The backfill's Extract and Transform steps against the market_chart stand-in (MarketChartCoinGecko),
/// which answers in CoinGecko's documented shape and refuses what CoinGecko refuses.
/// </summary>
public sealed class BackfillStepTests : IDisposable
{
    // A moment in the afternoon: the answer's last point ("now") is not at 00:00 UTC.
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 1, 22, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_demo_key_asking_past_365_days_gets_coingeckos_10012_as_invalid_input_without_retrying()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(3, _clock);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = standIn.BaseUrl, ApiKey = "CG-demo", CallsPerMinute = 60_000 }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketChartAsync("coin-0", "usd", 366, default));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        // CoinGecko's own words reach the message (github.com/SixPM-Software/waxtax/pull/8).
        Assert.Contains("error 10012", error.Message, StringComparison.Ordinal);
        Assert.Contains("limited to querying historical data within the past 365 days", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, standIn.ChartCalls["coin-0"]);
    }

    [Fact]
    public async Task An_unknown_coin_is_invalid_input_naming_coingeckos_words()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(3, _clock);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = standIn.BaseUrl, CallsPerMinute = 60_000 }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketChartAsync("no-such-coin", "usd", 365, default));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Contains("Could not find coin with the given id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Select_fetch_and_transform_give_one_row_per_coin_and_utc_day_with_shares_among_the_backfilled_coins()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(3, _clock);
        var store = new FileSystemObjectStore(_dir.FullPath);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = standIn.BaseUrl, ApiKey = "CG-demo" }, _clock);
        var backfill = new BackfillExtract(client, store, _clock);

        var selection = await backfill.SelectAsync(new BackfillRequest { Days = 365, Top = 3 }, default);
        var fetched = new List<BackfillCoinOutput>();
        foreach (var coin in selection.CoinIds)
        {
            fetched.Add(await backfill.FetchCoinAsync(new BackfillCoinInput { BackfillId = selection.BackfillId, CoinId = coin }, default));
        }

        var output = await new HistoryTransform(store).RunAsync(new HistoryTransformInput { BackfillId = selection.BackfillId }, default);

        // Demo: 30 calls a minute, so 2 s between two history calls.
        Assert.Equal(2, selection.PauseSeconds);
        Assert.StartsWith("20261207-day365-usd-", selection.BackfillId, StringComparison.Ordinal);
        Assert.Equal(["coin-0", "coin-1", "coin-2"], selection.CoinIds.Order(StringComparer.Ordinal));
        // 365 daily points at 00:00 UTC and the moment of the call: 366 (as CoinGecko answers a year).
        Assert.All(fetched, f => Assert.Equal(366, f.Points));
        Assert.All(fetched, f => Assert.False(f.Reused));
        Assert.Equal(3 * 365, output.Rows);
        var csv = Encoding.UTF8.GetString(await store.ReadAllBytesAsync(output.CsvKey, default)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(CryptoSchema.CsvHeader, csv[0]);
        var day = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var rows = csv.Skip(1).Where(l => l.StartsWith("2026-12-07T00:00:00Z,", StringComparison.Ordinal)).Select(l => l.Split(',')).ToList();
        Assert.Equal(3, rows.Count);
        var ms = day.ToUnixTimeMilliseconds();
        var caps = standIn.CoinIds.ToDictionary(id => id, id => MarketChartCoinGecko.MarketCap(id, ms));
        foreach (var row in rows)
        {
            var id = row[CryptoSchema.IndexOf("id")];
            Assert.Equal(MarketChartCoinGecko.Price(id, ms), double.Parse(row[CryptoSchema.IndexOf("current_price")], CultureInfo.InvariantCulture));
            Assert.Equal(caps[id] / caps.Values.Sum() * 100, double.Parse(row[CryptoSchema.IndexOf("dominance_percentage")], CultureInfo.InvariantCulture), 12);
            Assert.Equal(caps.Values.Count(c => c > caps[id]) + 1, int.Parse(row[CryptoSchema.IndexOf("market_cap_rank")], CultureInfo.InvariantCulture));
            Assert.Equal("", row[CryptoSchema.IndexOf("global_dominance_percentage")]);
        }

        // The first day is a year back; the answer's "now" point (15:01:22) is in no row.
        Assert.StartsWith("2025-12-08T00:00:00Z,", csv[1], StringComparison.Ordinal);
        Assert.DoesNotContain(csv, l => l.Contains("15:01:22", StringComparison.Ordinal));
        var quality = JsonSerializer.Deserialize(await store.ReadAllBytesAsync(output.QualityKey, default), BackfillJsonContext.Default.HistoryQuality)!;
        // The "now" point of each coin's three series.
        Assert.Equal((365, 9, "day"), (quality.Buckets, quality.PointsDropped, quality.Bucket));
    }

    [Fact]
    public async Task A_stored_history_is_reused_without_calling_coingecko_again()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(2, _clock);
        var store = new FileSystemObjectStore(_dir.FullPath);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = standIn.BaseUrl }, _clock);
        var backfill = new BackfillExtract(client, store, _clock);
        var selection = await backfill.SelectAsync(new BackfillRequest { Days = 30, CoinIds = ["coin-1"] }, default);

        var first = await backfill.FetchCoinAsync(new BackfillCoinInput { BackfillId = selection.BackfillId, CoinId = "coin-1" }, default);
        var again = await backfill.FetchCoinAsync(new BackfillCoinInput { BackfillId = selection.BackfillId, CoinId = "coin-1" }, default);

        Assert.StartsWith("20261207-hour30-usd-", selection.BackfillId, StringComparison.Ordinal);
        Assert.Equal((false, true), (first.Reused, again.Reused));
        Assert.Equal(first.Points, again.Points);
        Assert.Equal(1, standIn.ChartCalls["coin-1"]);
        Assert.Equal(6, selection.PauseSeconds); // keyless: 10 a minute
    }

    [Fact]
    public async Task The_recorded_daily_answer_aligns_to_two_utc_days_and_drops_its_now_point()
    {
        // CoinGecko's answer as recorded (tests/data/coingecko/SOURCES.md): 00:00 UTC of 31 Mar and
        // 1 Apr 2024, then the moment of the call, 15:01:22.
        var store = new FileSystemObjectStore(_dir.FullPath);
        var plan = new BackfillPlan
        {
            BackfillId = "20240401-day365-usd-0000000000000001", CoinIds = ["bitcoin"], Days = 365, VsCurrency = "usd", PauseSeconds = 2,
            HistoryEnd = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero), Bucket = "day",
        };
        await store.PutBytesAsync(BackfillKeys.Plan(plan.BackfillId), ContentTypes.Json, JsonSerializer.SerializeToUtf8Bytes(plan, BackfillJsonContext.Default.BackfillPlan), default);
        await store.PutBytesAsync(BackfillKeys.Raw(plan.BackfillId, "bitcoin"), ContentTypes.Json, await File.ReadAllBytesAsync(TestData.CoinGecko("market_chart_daily_2024-04-01.json")), default);

        var output = await new HistoryTransform(store).RunAsync(new HistoryTransformInput { BackfillId = plan.BackfillId }, default);

        var lines = Encoding.UTF8.GetString(await store.ReadAllBytesAsync(output.CsvKey, default)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("2024-03-31T00:00:00Z,usd,bitcoin,,,69702.3087473573,1370247487960.09,1,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2024-04-01T00:00:00Z,usd,bitcoin,,,71246.9514406015,1401370211582.37,1,", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(",100,100,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transform_refuses_a_backfill_whose_coins_are_not_all_fetched_naming_them()
    {
        await using var standIn = await MarketChartCoinGecko.StartAsync(3, _clock);
        var store = new FileSystemObjectStore(_dir.FullPath);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = standIn.BaseUrl, CallsPerMinute = 60_000 }, _clock);
        var selection = await new BackfillExtract(client, store, _clock).SelectAsync(new BackfillRequest { Days = 365, CoinIds = ["coin-0", "coin-2"] }, default);

        var error = await Assert.ThrowsAsync<PipelineException>(() => new HistoryTransform(store).RunAsync(new HistoryTransformInput { BackfillId = selection.BackfillId }, default));

        Assert.Equal(ErrorNames.ObjectNotFound, error.ErrorName);
        Assert.Contains("coin-0, coin-2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"days": 366, "top": 5}""", "within the past 365 days")]
    [InlineData("""{"days": 30, "top": 5, "coin_ids": ["bitcoin"]}""", "either top or coin_ids")]
    [InlineData("""{"days": 30, "coin_ids": ["../x"]}""", "is not a CoinGecko coin id")]
    [InlineData("""{"days": 30, "top": 0}""", "1 to 1000 coins")]
    public async Task A_bad_request_is_invalid_input_naming_what_is_wrong(string json, string expected)
    {
        var store = new FileSystemObjectStore(_dir.FullPath);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { BaseUrl = new Uri("http://127.0.0.1:9/api/v3"), ApiKey = "CG-demo" }, _clock);
        var request = StepInputJson.Parse(json, BackfillJsonContext.Default.BackfillRequest, "the input");

        var error = await Assert.ThrowsAsync<PipelineException>(() => new BackfillExtract(client, store, _clock).SelectAsync(request, default));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
