using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// The fake's reading of Snowflake's timestamp formats (docs.snowflake.com/en/sql-reference/date-time-input-output,
/// "Date and time formats in conversion functions"; a format that does not match is an error,
/// worded as Snowflake's 100035 "Timestamp '...' is not recognized", transferwise/pipelinewise#791),
/// held against the formats our SQL uses and the text the CSV carries.
/// </summary>
public sealed class SnowflakeCopyTests
{
    [Fact]
    public void Coingeckos_format_reads_the_csvs_one_form_as_utc()
    {
        var instant = SnowflakeTimestampFormat.Parse("2021-11-10T14:24:11.849Z", SnowflakeSql.CoinGeckoTimestampFormat);

        Assert.Equal(new DateTimeOffset(2021, 11, 10, 14, 24, 11, 849, TimeSpan.Zero), instant);
        Assert.Equal(TimeSpan.Zero, instant.Offset);
    }

    [Theory]
    [InlineData("2023-03-10T05:05:00+08:00")]
    [InlineData("2021-11-10T14:24:11Z")]
    [InlineData("2021-11-10T14:24:11.8491Z")]
    [InlineData("2015-10-20")]
    [InlineData("2021-11-10T14:24:11.849")]
    [InlineData("2021-11-10T14:24:11.849Z ")]
    public void Coingeckos_format_refuses_every_other_form(string text)
    {
        var error = Assert.Throws<SnowflakeCopyException>(() => SnowflakeTimestampFormat.Parse(text, SnowflakeSql.CoinGeckoTimestampFormat));

        Assert.Equal($"Timestamp '{text}' is not recognized", error.Message);
    }

    [Fact]
    public void An_offset_element_reads_the_offset_and_is_required()
    {
        const string Format = "YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM";

        Assert.Equal(new DateTimeOffset(2023, 3, 9, 21, 5, 0, TimeSpan.Zero), SnowflakeTimestampFormat.Parse("2023-03-10T05:05:00+08:00", Format).ToUniversalTime());
        // snowflake-jdbc#109: "Can't parse '2018-10-01 06:00:00.0' as timestamp with format 'YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM'".
        Assert.Throws<SnowflakeCopyException>(() => SnowflakeTimestampFormat.Parse("2018-10-01 06:00:00.0", "YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM"));
    }

    [Fact]
    public void The_file_format_is_read_from_the_script_and_quoted_fields_follow_its_rules()
    {
        var format = CsvFileFormat.FromScript(File.ReadAllText(RepoPaths.Path("infra", "snowflake", "03_file_format.sql")));
        var rows = CsvFileFormat.Read("a,b,c\r\n\"x, \"\"y\"\"\",,\"\"\r\n"u8.ToArray()).ToList();

        Assert.Equal(SnowflakeSql.CoinGeckoTimestampFormat, format.TimestampFormat);
        Assert.Equal(["x, \"y\"", null, ""], Assert.Single(rows));
        Assert.Throws<NotSupportedException>(() => CsvFileFormat.FromScript("TYPE = CSV\nTRIM_SPACE = TRUE\n"));
    }
}
