using System.Globalization;
using System.Text;
using CryptoEtl.Core.Steps;
using CryptoEtl.Core.Transform;
using CryptoEtl.Testing;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>Cleaning, nulls, quoting, rejected rows, the quality object and bad raw objects, on coins built here.</summary>
public sealed class TransformCleaningTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Null_fields_stay_null_and_metrics_are_null_where_an_input_is()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("a", ("market_cap", "3000"), ("total_volume", "300")),
            Coin("no-24h", ("high_24h", "null"), ("low_24h", "null"), ("price_change_24h", "null"),
                ("price_change_percentage_24h", "null"), ("market_cap_change_24h", "null"), ("market_cap_change_percentage_24h", "null")),
            Coin("no-max", ("max_supply", "null"), ("market_cap_rank", "2")),
            Coin("unranked", ("market_cap_rank", "null"), ("market_cap", "0"), ("total_volume", "null")),
            Coin("no-cap", ("market_cap", "null"), ("market_cap_rank", "null"), ("fully_diluted_valuation", null)),
            Coin("roi", ("market_cap_rank", "3"), ("roi", """{"times":47.363616850051365,"currency":"btc","percentage":4736.361685005137}""")))));

        Assert.Equal(6, result.Output.Rows);
        var noDay = result.Row("no-24h");
        foreach (var column in new[] { "high_24h", "low_24h", "price_change_24h", "price_change_percentage_24h", "market_cap_change_24h", "market_cap_change_percentage_24h" })
        {
            Assert.Null(noDay[column]);
            Assert.Equal(1, result.Quality.NullsPerColumn[column]);
        }

        Assert.Null(result.Row("no-max")["max_supply"]);
        Assert.Equal("1000", result.Row("no-max")["market_cap"]);

        // Sums over the rows that have a value: caps 3000+1000*3+0 = 6000 (no-cap has none), volumes 300+100*4 = 700.
        Assert.Equal(6000, result.Quality.Sums.MarketCap);
        Assert.Equal(700, result.Quality.Sums.TotalVolume);
        var unranked = result.Row("unranked");
        Assert.Null(unranked["market_cap_rank"]);
        Assert.Equal("0", unranked["dominance_percentage"]);
        Assert.Null(unranked["volume_percentage"]);
        Assert.Equal("50", result.Row("a")["dominance_percentage"]);
        Assert.Equal(Format(300.0 / 700 * 100), result.Row("a")["volume_percentage"]);

        var noCap = result.Row("no-cap");
        Assert.Null(noCap["market_cap"]);
        Assert.Null(noCap["fully_diluted_valuation"]);
        Assert.Null(noCap["dominance_percentage"]);
        Assert.Null(noCap["global_dominance_percentage"]);
        Assert.Equal(Format(100.0 / 700 * 100), noCap["volume_percentage"]);
        Assert.Equal(Format(1000 / 879849680841.0148 * 100), result.Row("roi")["global_dominance_percentage"]);

        var roi = result.Row("roi");
        Assert.Equal("47.363616850051365", roi["roi_times"]);
        Assert.Equal("btc", roi["roi_currency"]);
        Assert.Equal("4736.361685005137", roi["roi_percentage"]);
        Assert.Equal(5, result.Quality.NullsPerColumn["roi_times"]);
        Assert.Equal(1, result.Quality.NullsPerColumn["dominance_percentage"]);
        Assert.Equal(2, result.Quality.NullsPerColumn["market_cap_rank"]);
    }

    [Fact]
    public async Task Exponent_numbers_survive_byte_for_byte()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("tiny", ("current_price", "3.711857321470539e-09"), ("atl", "8.69e-05"), ("total_supply", "4.2e+17"),
                ("max_supply", "1.0e+15"), ("circulating_supply", "4.2E+17"), ("market_cap", "1.0e+9")))));

        var tiny = result.Row("tiny");
        Assert.Equal("3.711857321470539e-09", tiny["current_price"]);
        Assert.Equal("8.69e-05", tiny["atl"]);
        Assert.Equal("4.2e+17", tiny["total_supply"]);
        Assert.Equal("1.0e+15", tiny["max_supply"]);
        Assert.Equal("4.2E+17", tiny["circulating_supply"]);
        Assert.Equal("100", tiny["dominance_percentage"]);
        Assert.Equal(3.711857321470539e-09, double.Parse(tiny["current_price"]!, CultureInfo.InvariantCulture));

        // A metric written as shortest round-trip text parses back to the same double.
        var share = double.Parse(tiny["global_dominance_percentage"]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(1.0e+9 / 879849680841.0148 * 100, share);
    }

    [Fact]
    public async Task Names_with_commas_quotes_line_breaks_and_escapes_are_quoted_per_RFC_4180()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("comma", ("name", "\"Wrapped, Bridged\"")),
            Coin("quote", ("name", "\"The \\\"Best\\\" Coin\"")),
            Coin("lines", ("name", "\"two\\nlines\\r\\nhere\"")),
            Coin("escaped", ("name", "\"Caf\\u00e9 \\u0041\""), ("symbol", "\"caf\u00e9\"")),
            Coin("long", ("name", "\"" + new string('n', FieldValidation.MaxTextBytes) + "\""), ("symbol", "\"" + new string('s', 200) + "\"")))));

        Assert.Equal("Wrapped, Bridged", result.Row("comma")["name"]);
        Assert.Equal("The \"Best\" Coin", result.Row("quote")["name"]);
        Assert.Equal("two\nlines\r\nhere", result.Row("lines")["name"]);
        Assert.Equal("Café A", result.Row("escaped")["name"]);
        Assert.Equal("café", result.Row("escaped")["symbol"]);
        Assert.Equal(new string('n', FieldValidation.MaxTextBytes), result.Row("long")["name"]);
        Assert.Equal(new string('s', 200), result.Row("long")["symbol"]);

        var csv = Encoding.UTF8.GetString(result.CsvBytes);
        Assert.Contains(",\"Wrapped, Bridged\",", csv, StringComparison.Ordinal);
        Assert.Contains(",\"The \"\"Best\"\" Coin\",", csv, StringComparison.Ordinal);
        Assert.Contains(",Café A,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_rows_are_named_in_the_quality_object_and_the_rest_is_kept()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(
            Page(
                Coin("good"),
                Coin("x", ("id", null)),
                Coin("no-symbol", ("symbol", "\"\"")),
                Coin("no-name", ("name", "null")),
                Coin("no-price", ("current_price", "null")),
                Coin("negative", ("current_price", "-0.5")),
                "42",
                Coin("text-price", ("current_price", "\"1.5\"")),
                Coin("zero", ("current_price", "-0.0"), ("market_cap_rank", "2"))),
            Page(
                "[1,2]",
                Coin("bad-roi", ("roi", "[1]")),
                Coin("bad-rank", ("market_cap_rank", "1.5")),
                Coin("numeric-id", ("id", "7")),
                Coin("good"),
                Coin("no-price-2", ("current_price", null)))));

        Assert.Equal(["good", "zero"], result.Rows.Select(r => r["id"]));
        Assert.Equal("-0.0", result.Row("zero")["current_price"]);
        Assert.Equal(2, result.Output.Rows);
        Assert.Equal(12, result.Output.Rejected);

        var quality = result.Quality;
        Assert.Equal(15, quality.CoinsFetched);
        Assert.Equal(2, quality.RowsKept);
        Assert.Equal(12, quality.RowsRejected);
        Assert.Equal(1, quality.DuplicatesDropped);
        Assert.Equal(["good"], quality.DuplicateIds);
        Assert.Equal(
            new Dictionary<string, RejectedCoin[]>
            {
                ["invalid_current_price"] = [new(1, 7, "text-price")],
                ["invalid_id"] = [new(2, 3, null)],
                ["invalid_market_cap_rank"] = [new(2, 2, "bad-rank")],
                ["invalid_roi"] = [new(2, 1, "bad-roi")],
                ["missing_current_price"] = [new(1, 4, "no-price"), new(2, 5, "no-price-2")],
                ["missing_id"] = [new(1, 1, null)],
                ["missing_name"] = [new(1, 3, "no-name")],
                ["missing_symbol"] = [new(1, 2, "no-symbol")],
                ["negative_current_price"] = [new(1, 5, "negative")],
                ["not_an_object"] = [new(1, 6, null), new(2, 0, null)],
            },
            quality.Rejected.ToDictionary(r => r.Key, r => r.Value.Coins.ToArray()));
        Assert.All(quality.Rejected.Values, g => Assert.Equal(g.Coins.Count, g.Count));
    }

    [Fact]
    public async Task Sanity_checks_warn_without_failing()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("a", ("market_cap_rank", "1")),
            Coin("b", ("market_cap_rank", "1"), ("fully_diluted_valuation", "-5"), ("low_24h", "-0.1")),
            Coin("c", ("market_cap_rank", "2")))));

        Assert.Equal(3, result.Output.Rows);
        var checks = result.Quality.Checks.ToDictionary(c => c.Name);
        Assert.False(checks["market_cap_rank_unique"].Passed);
        Assert.Equal(["b (rank 1)"], checks["market_cap_rank_unique"].Ids);
        Assert.False(checks["no_negative_caps"].Passed);
        Assert.Equal(["b (fully_diluted_valuation)"], checks["no_negative_caps"].Ids);
        Assert.Equal(["b (low_24h)"], checks["no_negative_prices"].Ids);
        Assert.True(checks["dominance_sums_to_100"].Passed, checks["dominance_sums_to_100"].Detail);
        Assert.True(checks["global_total_market_cap_usable"].Passed);
        Assert.Equal(3, result.Quality.Warnings);
        Assert.Equal("-5", result.Row("b")["fully_diluted_valuation"]);
    }

    [Fact]
    public async Task Missing_global_or_zero_sums_leave_metrics_null_and_warn()
    {
        var raw = RawSnapshots.Build(
            TransformHarness.FetchTime,
            [Encoding.UTF8.GetBytes(Page(Coin("a", ("market_cap", "0"), ("total_volume", "0")), Coin("b", ("market_cap", "0.0"), ("total_volume", "null"))))],
            globalResponse: null);
        var result = await _harness.RunAsync(raw);

        Assert.All(result.Rows, r =>
        {
            Assert.Null(r["dominance_percentage"]);
            Assert.Null(r["volume_percentage"]);
            Assert.Null(r["global_dominance_percentage"]);
        });
        var global = result.Quality.Checks.Single(c => c.Name == "global_total_market_cap_usable");
        Assert.False(global.Passed);
        Assert.Contains("no \"global\"", global.Detail, StringComparison.Ordinal);
        Assert.Null(result.Quality.Sums.GlobalTotalMarketCap);
        Assert.Equal(0, result.Quality.Sums.MarketCap);
        Assert.Equal(2, result.Quality.NullsPerColumn["dominance_percentage"]);
    }

    [Fact]
    public async Task Global_in_another_currency_is_looked_up_by_vs_currency()
    {
        var raw = RawSnapshots.Build(
            TransformHarness.FetchTime,
            [Encoding.UTF8.GetBytes(Page(Coin("a", ("market_cap", "846860596.9075579"))))],
            TransformHarness.Fixture(TestData.Global),
            vsCurrency: "eur");
        var result = await _harness.RunAsync(raw);

        Assert.Equal("eur", result.Row("a")["vs_currency"]);
        Assert.Equal(Format(846860596.9075579 / 846860596907.5579 * 100), result.Row("a")["global_dominance_percentage"]);
    }

    [Fact]
    public async Task Missing_raw_object_is_ObjectNotFound_naming_the_key()
    {
        var step = new TransformStep(_harness.Store);
        var error = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new TransformInput { RawKey = "raw/2026/01/01/nope.json" }, CancellationToken.None));

        Assert.Equal(ErrorNames.ObjectNotFound, error.ErrorName);
        Assert.Contains("raw/2026/01/01/nope.json", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadRawObjects => new()
    {
        { "this is not json", "is not valid JSON" },
        { "", "is not valid JSON" },
        { "[1,2,3]", "is not a JSON object" },
        { """{"pages":[[]]}""", "has no \"metadata\" object" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"}}""", "has no \"pages\" array" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"},"pages":{}}""", "\"pages\" that is not an array" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"},"pages":[[],{"id":"x"}]}""", "element 2 that is not an array" },
        { """{"metadata":{"fetch_time":"yesterday","vs_currency":"usd"},"pages":[]}""", "metadata.fetch_time (got \"yesterday\")" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z"},"pages":[]}""", "no metadata.vs_currency" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"},"global":[],"pages":[]}""", "\"global\" that is neither an object nor null" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"},"pages":[[{"id":"a","symbol":"a","name":"A","current_price":1}""", "is not valid JSON" },
        { """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z","vs_currency":"usd"},"pages":[[{"id":"a",}]]}""", "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadRawObjects))]
    public async Task Bad_raw_object_is_RawObjectInvalid_and_writes_nothing(string raw, string expected)
    {
        var error = await Assert.ThrowsAsync<PipelineException>(() => _harness.RunAsync(Encoding.UTF8.GetBytes(raw)));

        Assert.Equal(ErrorNames.RawObjectInvalid, error.ErrorName);
        Assert.Contains(TransformHarness.RawKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(await _harness.ProcessedKeysAsync());
    }

    [Fact]
    public async Task A_raw_object_under_another_fetch_times_key_is_RawObjectInvalid_and_writes_nothing()
    {
        // The object's metadata says 12:00:00; it sits under 13:00:00's key, so its CSV would replace 12:00's.
        var otherKey = ObjectKeys.Raw(TransformHarness.FetchTime.AddHours(1));
        await _harness.Store.PutBytesAsync(otherKey, ContentTypes.Json, TransformHarness.Raw(Page(Coin("a"))), CancellationToken.None);

        var error = await Assert.ThrowsAsync<PipelineException>(() => new TransformStep(_harness.Store).RunAsync(new TransformInput { RawKey = otherKey }, CancellationToken.None));

        Assert.Equal(ErrorNames.RawObjectInvalid, error.ErrorName);
        Assert.Equal(
            "raw object raw/2026/11/25/raw_crypto_data_2026-11-25T13-00-00Z.json records metadata.fetch_time 2026-11-25T12:00:00Z, "
            + "whose raw key is raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json; nothing written",
            error.Message);
        Assert.Empty(await _harness.ProcessedKeysAsync());
    }

    [Fact]
    public async Task Empty_raw_key_is_InvalidInput()
    {
        var error = await Assert.ThrowsAsync<PipelineException>(() => new TransformStep(_harness.Store).RunAsync(new TransformInput { RawKey = " " }, CancellationToken.None));
        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
    }

    [Fact]
    public void Every_column_has_a_bit_in_the_row_null_mask()
    {
        // RowShape.Nulls is a ulong with a bit per column index: a 65th column needs a wider mask.
        Assert.InRange(CryptoSchema.Columns.Count, 1, 64);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
