using System.Globalization;
using System.Text.RegularExpressions;
using CryptoEtl.Testing;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// The CSV carries every CoinGecko timestamp in one form (UtcTimestamp): 2021-11-10T14:24:11.849Z.
/// The forms: CoinGecko's usual one (every recording in tests/data/coingecko), the offset form it
/// sent for huobi-token's atl_date in 136 daily dumps of madjin/daily-crypto's prices.json
/// (2023-06-13 to 2023-11-13, "2023-03-10T05:05:00+08:00"), and the other ISO 8601 forms a
/// serializer may write. The expected instant is .NET's own ISO 8601 parser's, not ours.
/// </summary>
public sealed partial class TransformTimestampTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string> OtherForms() =>
    [
        "2023-03-10T05:05:00+08:00",
        "2023-03-10T05:05:00-03:30",
        "2023-03-10T05:05:00+0800",
        "2023-03-10T05:05:00+08",
        "2021-11-10T14:24:11Z",
        "2021-11-10T14:24Z",
        "2021-11-10T14:24:11.8Z",
        "2021-11-10T14:24:11.84Z",
        "2021-11-10T14:24:11.849123Z",
        "2021-11-10T14:24:11.849999Z",
        "2021-11-10T14:24:11.123456789Z",
        "2021-11-10T14:24:11.849+00:00",
        "2021-11-10T14:24:11.849",
        "2021-11-10",
        "2024-02-29T23:30:00-01:00",
        "0001-01-01T00:00:00Z",
        "2024-02-29T23:59:59.999Z",
        "9999-12-31T23:59:59.999Z",
    ];

    [Theory]
    [MemberData(nameof(OtherForms))]
    public async Task Every_iso_8601_form_becomes_the_same_instant_in_the_one_form(string sent)
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(Coin("huobi-token", ("atl_date", $"\"{sent}\"")))));

        var expected = DateTimeOffset.Parse(sent, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        expected = expected.AddTicks(-(expected.Ticks % TimeSpan.TicksPerMillisecond));
        Assert.Equal(expected.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), result.Row("huobi-token")["atl_date"]);
        Assert.True(result.Quality.Checks.Single(c => c.Name == "timestamps_readable").Passed);
    }

    [Theory]
    [InlineData("coins_markets_usd_ids_57_2022-01-06_minified_null_rank.json")]
    [InlineData("coins_markets_usd_p1_250_2024-12-19_sparkline_all_pct.json")]
    public async Task Recorded_timestamps_are_already_in_the_one_form_and_reach_the_csv_byte_for_byte(string recording)
    {
        var market = TransformHarness.Fixture(recording);
        var result = await _harness.RunAsync(Raw(market));

        var sent = CoinGeckoTimestamp().Matches(System.Text.Encoding.UTF8.GetString(market)).Select(m => m.Groups["value"].Value).ToHashSet();
        var written = result.Rows.SelectMany(r => new[] { r["ath_date"], r["atl_date"], r["last_updated"] }).OfType<string>().ToArray();
        Assert.True(written.Length > 100);
        Assert.All(written, value => Assert.Contains(value, sent));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2023-02-30T00:00:00.000Z")]
    [InlineData("2023-02-29T00:00:00.000Z")]
    [InlineData("2023-13-01T00:00:00.000Z")]
    [InlineData("0000-01-01T00:00:00.000Z")]
    [InlineData("2023-03-10T05:60:00.000Z")]
    [InlineData("2023-03-10T05:05:00.000z ")]
    [InlineData("2023-03-10T05:05:00/000Z")]
    [InlineData("2023-03-10T24:00:00.000Z")]
    [InlineData("2023-03-10T05:05:60Z")]
    [InlineData("2023-03-10 05:05:00")]
    [InlineData("2023-03-10T05:05:00+08:00 ")]
    [InlineData("2023-03-10T05:05:00.Z")]
    [InlineData("2023-03-10T05:05:00.1234567890Z")]
    [InlineData("2023-03-10T05:05:00+24:00")]
    [InlineData("1678424700")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    public async Task An_unreadable_timestamp_is_null_and_named_and_the_coin_is_kept(string sent)
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(
            Coin("odd", ("ath_date", $"\"{sent}\"")),
            Coin("fine", ("market_cap_rank", "2")))));

        Assert.Null(result.Row("odd")["ath_date"]);
        Assert.Equal("2013-07-06T00:00:00.000Z", result.Row("odd")["atl_date"]);
        var check = result.Quality.Checks.Single(c => c.Name == "timestamps_readable");
        Assert.False(check.Passed);
        Assert.Equal(["odd (ath_date)"], check.Ids);
        Assert.Equal(1, result.Quality.NullsPerColumn["ath_date"]);
        Assert.Equal(1, result.Quality.Warnings);
    }

    private static byte[] Raw(byte[] market) => RawSnapshots.Build(TransformHarness.FetchTime, [market], TransformHarness.Fixture(TestData.Global));

    [GeneratedRegex("\"(?:ath_date|atl_date|last_updated)\":\\s*\"(?<value>[^\"]*)\"")]
    private static partial Regex CoinGeckoTimestamp();
}
