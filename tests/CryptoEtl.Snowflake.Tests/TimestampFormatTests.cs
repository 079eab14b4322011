using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// The explicit timestamp formats match, character for character, what the CSV carries: the fetch
/// time as <see cref="ObjectKeys.Iso"/> writes it, and CoinGecko's timestamps as recorded
/// (tests/data/coingecko). Snowflake's format elements are read as documented in
/// docs.snowflake.com/en/sql-reference/functions-conversion ("Date and time formats": YYYY, MM,
/// DD, HH24, MI, SS, FF3 = milliseconds, text in double quotes is literal).
/// </summary>
public sealed partial class TimestampFormatTests
{
    [Fact]
    public void The_fetch_time_format_reads_what_the_transform_writes()
    {
        var fetchTime = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var written = ObjectKeys.Iso(fetchTime);

        Assert.Equal(fetchTime, DateTimeOffset.ParseExact(written, DotNet(SnowflakeSql.FetchTimeFormat), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
        Assert.Throws<FormatException>(() => DateTimeOffset.ParseExact(written, DotNet(SnowflakeSql.CoinGeckoTimestampFormat), CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("coins_markets_usd_ids_57_2022-01-06_minified_null_rank.json")]
    [InlineData("coins_markets_usd_p1_250_2024-12-19_sparkline_all_pct.json")]
    public void The_coingecko_format_reads_every_recorded_timestamp(string recording)
    {
        var values = CoinGeckoTimestamp().Matches(File.ReadAllText(TestData.Path("coingecko", recording))).Select(m => m.Groups["value"].Value).ToArray();

        Assert.True(values.Length > 100, $"{values.Length} timestamps in {recording}");
        var format = DotNet(SnowflakeSql.CoinGeckoTimestampFormat);
        Assert.All(values, value => DateTimeOffset.ParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    [Fact]
    public void The_file_format_names_coingeckos_form_and_never_auto()
    {
        var script = File.ReadAllText(TestData.Path("..", "infra", "snowflake", "03_file_format.sql"));

        Assert.Contains($"TIMESTAMP_FORMAT = '{SnowflakeSql.CoinGeckoTimestampFormat}'", script, StringComparison.Ordinal);
        Assert.DoesNotContain("'AUTO'", script, StringComparison.Ordinal);
    }

    // Snowflake's elements as .NET custom format specifiers; double-quoted text becomes a literal.
    private static string DotNet(string snowflake)
    {
        var result = new StringBuilder();
        var parts = snowflake.Split('"');
        for (var i = 0; i < parts.Length; i++)
        {
            result.Append(i % 2 == 1
                ? $"'{parts[i]}'"
                : parts[i].Replace("YYYY", "yyyy", StringComparison.Ordinal).Replace("DD", "dd", StringComparison.Ordinal)
                    .Replace("HH24", "HH", StringComparison.Ordinal).Replace("MI", "mm", StringComparison.Ordinal)
                    .Replace("SS", "ss", StringComparison.Ordinal).Replace("FF3", "fff", StringComparison.Ordinal));
        }

        return result.ToString();
    }

    [GeneratedRegex("\"(?:ath_date|atl_date|last_updated)\":\\s*\"(?<value>[^\"]*)\"")]
    private static partial Regex CoinGeckoTimestamp();
}
