using System.Globalization;
using System.Text;
using CryptoEtl.Core.Transform;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// Coins a hostile or broken server can send (issue 15, items 2, 3, 4, 8): each is rejected with a
/// named reason, and the rest of the snapshot is kept.
/// </summary>
public sealed class TransformHostileCoinTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>The coin with one more property appended (raw JSON), after the ones it has.</summary>
    private static string WithExtra(string coin, string name, string json) => coin[..^1] + $",\"{name}\":{json}}}";

    [Fact]
    public async Task A_repeated_property_rejects_the_coin_and_the_real_coin_of_that_id_is_kept()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            WithExtra(Coin("bitcoin", ("current_price", "96000")), "id", "\"ethereum\""),
            WithExtra(Coin("two-caps"), "market_cap", "5"),
            WithExtra(Coin("two-rois", ("roi", """{"times":1,"currency":"usd","percentage":100}""")), "roi", "null"),
            Coin("roi-part-twice", ("roi", """{"times":1,"currency":"usd","percentage":100,"times":2}""")),
            Coin("ethereum", ("current_price", "3400")),
            WithExtra(WithExtra(Coin("unknown-twice"), "sparkline", "1"), "sparkline", "2"))));

        Assert.Equal(["ethereum", "unknown-twice"], result.Rows.Select(r => r["id"]));
        Assert.Equal("3400", result.Row("ethereum")["current_price"]);
        Assert.Empty(result.Quality.DuplicateIds);
        var rejected = result.Quality.Rejected[SnapshotColumns.DuplicateProperty];
        Assert.Equal(
            [new(1, 0, "bitcoin"), new(1, 1, "two-caps"), new(1, 2, "two-rois"), new(1, 3, "roi-part-twice")],
            rejected.Coins);
    }

    // A byte sequence no UTF-8 decoder accepts (a lone continuation byte), put where the marker is.
    private const string InvalidUtf8Marker = "@INVALID@";

    private static byte[] WithInvalidUtf8(byte[] raw)
    {
        var marker = Encoding.UTF8.GetBytes(InvalidUtf8Marker);
        var at = raw.AsSpan().IndexOf(marker);
        return [.. raw[..at], 0x80, 0xC3, .. raw[(at + marker.Length)..]];
    }

    [Fact]
    public async Task Bad_text_rejects_its_coin_with_a_named_reason_and_the_rest_loads()
    {
        var longest = new string('n', FieldValidation.MaxTextBytes);
        var raw = WithInvalidUtf8(TransformHarness.Raw(Page(
            Coin("lone-surrogate", ("name", "\"bad \\ud800 name\"")),
            Coin("reversed-surrogates", ("symbol", "\"\\udc00\\ud800\"")),
            Coin("bad-bytes", ("name", $"\"x{InvalidUtf8Marker}y\"")),
            Coin("nul", ("name", "\"a\\u0000b\"")),
            Coin("escape", ("symbol", "\"\\u001b[31m\"")),
            Coin("del", ("name", "\"a\u007fb\"")),
            Coin("c1", ("name", "\"a\\u0085b\"")),
            Coin("bidi-override", ("name", "\"Good\u202eKCAB\"")),
            Coin("bidi-isolate", ("name", "\"Good\\u2066x\\u2069\"")),
            Coin("too-long", ("name", "\"" + longest + "n\"")),
            Coin("too-long-escaped", ("symbol", "\"" + string.Concat(Enumerable.Repeat("\\u00e9", (FieldValidation.MaxTextBytes / 2) + 1)) + "\"")),
            Coin("long-number", ("circulating_supply", "1" + new string('0', FieldValidation.MaxNumberBytes))),
            Coin("bad-roi-currency", ("roi", """{"times":1,"currency":"u\u0000sd","percentage":100}""")),
            Coin("longest", ("name", "\"" + longest + "\"")),
            Coin("lines-and-marks", ("name", "\"two\\nlines\\tand \u05e9\u05dc\u05d5\u05dd\u200f!\"")),
            Coin("good"))));

        var result = await _harness.RunAsync(raw);

        Assert.Equal(["longest", "lines-and-marks", "good"], result.Rows.Select(r => r["id"]));
        Assert.Equal(longest, result.Row("longest")["name"]);
        Assert.Equal("two\nlines\tand \u05e9\u05dc\u05d5\u05dd\u200f!", result.Row("lines-and-marks")["name"]);
        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["control_character_name"] = ["nul", "del", "c1", "bidi-override", "bidi-isolate"],
                ["control_character_roi_currency"] = ["bad-roi-currency"],
                ["control_character_symbol"] = ["escape"],
                ["invalid_encoding_name"] = ["lone-surrogate", "bad-bytes"],
                ["invalid_encoding_symbol"] = ["reversed-surrogates"],
                ["too_long_circulating_supply"] = ["long-number"],
                ["too_long_name"] = ["too-long"],
                ["too_long_symbol"] = ["too-long-escaped"],
            },
            result.Quality.Rejected.ToDictionary(r => r.Key, r => r.Value.Coins.Select(c => c.Id!).ToArray()));
        Assert.Equal(16, result.Quality.CoinsFetched);

        // The CSV is valid UTF-8 with no control character beyond the tab and line breaks kept.
        var csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(result.CsvBytes);
        Assert.DoesNotContain(csv.EnumerateRunes(), r => ControlCharacters.IsRejected(r.Value));
    }

    [Fact]
    public async Task A_rejected_coin_whose_id_is_the_bad_text_is_listed_without_it()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("x", ("id", "\"" + new string('i', FieldValidation.MaxTextBytes + 1) + "\"")),
            Coin("evil\u202e"))));

        Assert.Empty(result.Rows);
        Assert.Equal([new(1, 0, null)], result.Quality.Rejected["too_long_id"].Coins);
        Assert.Equal([new(1, 1, null)], result.Quality.Rejected["control_character_id"].Coins);
    }

    [Fact]
    public async Task A_negative_market_cap_or_volume_rejects_the_coin_so_dominance_stays_a_share()
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("bitcoin", ("market_cap", "1.9e+12"), ("total_volume", "4.1e+10"), ("market_cap_rank", "1")),
            Coin("ethereum", ("market_cap", "4.1e+11"), ("total_volume", "2.2e+10"), ("market_cap_rank", "2")),
            Coin("negative-cap", ("market_cap", "-1.5e+12"), ("market_cap_rank", "3")),
            Coin("negative-volume", ("total_volume", "-3e+10"), ("market_cap_rank", "4")),
            Coin("zero", ("market_cap", "-0.0"), ("total_volume", "-0"), ("market_cap_rank", "5")))));

        Assert.Equal(["bitcoin", "ethereum", "zero"], result.Rows.Select(r => r["id"]));
        Assert.Equal([new(1, 2, "negative-cap")], result.Quality.Rejected[SnapshotColumns.NegativeMarketCap].Coins);
        Assert.Equal([new(1, 3, "negative-volume")], result.Quality.Rejected[SnapshotColumns.NegativeTotalVolume].Coins);

        // Bitcoin's share of the kept caps, computed here: 1.9e12 / (1.9e12 + 4.1e11 + 0) * 100 = 82.25... %.
        var dominance = double.Parse(result.Row("bitcoin")["dominance_percentage"]!, CultureInfo.InvariantCulture);
        Assert.Equal(1.9e12 / (1.9e12 + 4.1e11) * 100, dominance, 12);
        Assert.InRange(dominance, 82.2, 82.3);
        Assert.Equal(4.1e10 / (4.1e10 + 2.2e10) * 100, double.Parse(result.Row("bitcoin")["volume_percentage"]!, CultureInfo.InvariantCulture), 12);
        Assert.True(result.Quality.Checks.Single(c => c.Name == "dominance_sums_to_100").Passed);
    }
}
