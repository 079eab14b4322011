using System.Globalization;
using System.Text;
using System.Text.Json;
using CryptoEtl.Testing;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// Transform on recorded CoinGecko responses. Expected values come from the fixtures through
/// JsonDocument and decimal arithmetic in the test, never from the code under test.
/// </summary>
public sealed class TransformFixtureTests : IDisposable
{
    // Numeric columns that are coin properties of the same name (not roi's parts, not the metrics).
    private static readonly string[] NumberColumns = CryptoSchema.Columns
        .Where(c => c.Type is ColumnType.Number or ColumnType.WholeNumber)
        .Select(c => c.Name)
        .Except(["roi_times", "roi_percentage", "dominance_percentage", "volume_percentage", "global_dominance_percentage"])
        .ToArray();

    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Markets250_keeps_every_coin_and_carries_every_value_as_recorded()
    {
        var page = TransformHarness.Fixture(TestData.Markets250);
        var result = await _harness.RunAsync(RawSnapshots.Build(TransformHarness.FetchTime, [page], TransformHarness.Fixture(TestData.Global)));

        Assert.Equal(CryptoSchema.Columns.Select(c => c.Name), result.Header);
        Assert.True(result.CsvBytes.AsSpan().StartsWith(Encoding.UTF8.GetBytes(CryptoSchema.CsvHeader + "\r\n")), "header line, CRLF, no BOM");
        Assert.Equal(250, result.Output.Rows);
        Assert.Equal(0, result.Output.Rejected);
        Assert.Equal(TransformHarness.FetchTime, result.Output.FetchTime);
        Assert.True(ObjectKeys.IsCsvOf(result.Output.CsvKey, TransformHarness.FetchTime), result.Output.CsvKey);
        Assert.Equal(ObjectKeys.Quality(TransformHarness.FetchTime), result.Output.QualityKey);

        using var coins = JsonDocument.Parse(page);
        var expected = coins.RootElement.EnumerateArray().ToList();
        Assert.Equal(expected.Select(c => c.GetProperty("id").GetString()), result.Rows.Select(r => r["id"]));
        for (var i = 0; i < expected.Count; i++)
        {
            var coin = expected[i];
            var row = result.Rows[i];
            Assert.Equal("2026-11-25T12:00:00Z", row["fetch_time"]);
            Assert.Equal("usd", row["vs_currency"]);
            foreach (var text in new[] { "id", "symbol", "name", "ath_date", "atl_date", "last_updated" })
            {
                Assert.Equal(coin.GetProperty(text).GetString(), row[text]);
            }

            foreach (var number in NumberColumns)
            {
                var value = coin.GetProperty(number);
                Assert.Equal(value.ValueKind == JsonValueKind.Null ? null : value.GetRawText(), row[number]);
            }

            var roi = coin.GetProperty("roi");
            Assert.Equal(roi.ValueKind == JsonValueKind.Null ? null : roi.GetProperty("times").GetRawText(), row["roi_times"]);
            Assert.Equal(roi.ValueKind == JsonValueKind.Null ? null : roi.GetProperty("currency").GetString(), row["roi_currency"]);
            Assert.Equal(roi.ValueKind == JsonValueKind.Null ? null : roi.GetProperty("percentage").GetRawText(), row["roi_percentage"]);
        }

        Assert.Equal(35, result.Rows.Count(r => r["roi_times"] is not null));
    }

    [Fact]
    public async Task A_global_total_from_another_moment_is_not_used()
    {
        // The 2022 /global total (0.88 T) is smaller than Bitcoin's 2024 market cap alone.
        var page = TransformHarness.Fixture(TestData.Markets250);
        var result = await _harness.RunAsync(RawSnapshots.Build(TransformHarness.FetchTime, [page], TransformHarness.Fixture(TestData.Global)));

        Assert.All(result.Rows, r => Assert.Null(r["global_dominance_percentage"]));
        Assert.All(result.Rows, r => Assert.NotNull(r["dominance_percentage"]));
        var check = result.Quality.Checks.Single(c => c.Name == "global_total_market_cap_usable");
        Assert.False(check.Passed);
        Assert.StartsWith("global total_market_cap.usd is 879849680841.0148 but the coins loaded add up to ", check.Detail, StringComparison.Ordinal);
        Assert.Equal(250, result.Quality.NullsPerColumn["global_dominance_percentage"]);
    }

    [Fact]
    public async Task Markets250_metrics_match_independent_decimal_sums()
    {
        // The recorded /global is from 2022 and this market from 2024: pair the market with a total of its own day.
        var page = TransformHarness.Fixture(TestData.Markets250);
        var result = await _harness.RunAsync(RawSnapshots.Build(TransformHarness.FetchTime, [page], TransformHarness.GlobalWithUsdTotal("3823616470102.6")));

        using var coins = JsonDocument.Parse(page);
        const double globalUsd = 3823616470102.6;
        var capSum = coins.RootElement.EnumerateArray().Sum(c => c.GetProperty("market_cap").GetDecimal());
        var volumeSum = coins.RootElement.EnumerateArray().Sum(c => c.GetProperty("total_volume").GetDecimal());

        foreach (var coin in coins.RootElement.EnumerateArray())
        {
            var row = result.Row(coin.GetProperty("id").GetString()!);
            var cap = coin.GetProperty("market_cap").GetDouble();
            var volume = coin.GetProperty("total_volume").GetDouble();
            Assert.Equal(cap / (double)capSum * 100, Parse(row["dominance_percentage"]));
            Assert.Equal(volume / (double)volumeSum * 100, Parse(row["volume_percentage"]));
            Assert.Equal(cap / globalUsd * 100, Parse(row["global_dominance_percentage"]));
        }

        var bitcoin = result.Row("bitcoin");
        Assert.Equal((double)(2024736549193m / capSum * 100), Parse(bitcoin["dominance_percentage"]), 1e-12);
        Assert.Equal((double)capSum, result.Quality.Sums.MarketCap);
        Assert.Equal((double)volumeSum, result.Quality.Sums.TotalVolume);
        Assert.Equal(globalUsd, result.Quality.Sums.GlobalTotalMarketCap);
        Assert.Equal(100, result.Rows.Sum(r => (decimal)Parse(r["dominance_percentage"])), 9);
        Assert.All(result.Quality.Checks, c => Assert.True(c.Passed, c.Name + ": " + c.Detail));
        Assert.Equal(0, result.Quality.Warnings);
    }

    [Fact]
    public async Task Markets57_across_two_pages_drops_the_overlap_as_duplicates_and_keeps_exponents_byte_for_byte()
    {
        var all = TransformHarness.Fixture(TestData.Markets57Minified);
        using var coins = JsonDocument.Parse(all);
        var elements = coins.RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList();

        // Coins 30-39 moved from page 1 to page 2 while the sweep ran: they are on both.
        var page1 = "[" + string.Join(',', elements.Take(40)) + "]";
        var page2 = "[" + string.Join(',', elements.Skip(30)) + "]";
        var result = await _harness.RunAsync(TransformHarness.Raw(page1, page2));

        var ids = coins.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids, result.Rows.Select(r => r["id"]));
        Assert.Equal(57, result.Output.Rows);
        Assert.Equal(67, result.Quality.CoinsFetched);
        Assert.Equal(10, result.Quality.DuplicatesDropped);
        Assert.Equal(ids.Skip(30).Take(10), result.Quality.DuplicateIds);

        var csv = Encoding.UTF8.GetString(result.CsvBytes);
        Assert.Contains(",1.0e+15,", csv, StringComparison.Ordinal);
        Assert.Contains(",8.69e-05,", csv, StringComparison.Ordinal);
        Assert.Equal("1.0e+15", result.Rows.Single(r => r["total_supply"] == "1.0e+15")["total_supply"]);

        // Two unranked coins with market_cap 0.0: null rank, dominance exactly 0.
        var poken = result.Row("poken");
        Assert.Null(poken["market_cap_rank"]);
        Assert.Equal("0.0", poken["market_cap"]);
        Assert.Equal(0, Parse(poken["dominance_percentage"]));
        Assert.Equal(2, result.Quality.NullsPerColumn["market_cap_rank"]);
        Assert.Equal(
            coins.RootElement.EnumerateArray().Count(c => c.GetProperty("fully_diluted_valuation").ValueKind == JsonValueKind.Null),
            result.Quality.NullsPerColumn["fully_diluted_valuation"]);
        Assert.Equal(38, result.Quality.NullsPerColumn["roi_times"]);
        Assert.Equal(0, result.Quality.NullsPerColumn["id"]);
    }

    [Fact]
    public async Task Rerun_writes_the_same_bytes_under_a_csv_key_never_used_before()
    {
        var raw = RawSnapshots.Build(TransformHarness.FetchTime, [TransformHarness.Fixture(TestData.Markets57Minified)], TransformHarness.Fixture(TestData.Global));
        var first = await _harness.RunAsync(raw);
        var second = await _harness.RunAsync(raw);

        Assert.Equal(first.CsvBytes, second.CsvBytes);
        // Snowpipe never loads a name it has seen (ObjectKeys): each write is a new CSV, sorting after the one before.
        Assert.NotEqual(first.Output.CsvKey, second.Output.CsvKey);
        Assert.True(string.CompareOrdinal(first.Output.CsvKey, second.Output.CsvKey) < 0);
        Assert.Equal(first.Output with { CsvKey = second.Output.CsvKey }, second.Output);
        // The quality object is the fetch time's one, describing the latest write and naming its CSV.
        Assert.Equal(second.Output.CsvKey, second.Quality.CsvKey);
        Assert.Equal(new[] { first.Output.CsvKey, second.Output.CsvKey, first.Output.QualityKey }.Order(StringComparer.Ordinal), (await _harness.ProcessedKeysAsync()).Order(StringComparer.Ordinal));
    }

    private static double Parse(string? text) => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture);
}
