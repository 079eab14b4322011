using System.Text.RegularExpressions;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// 08_trends.sql is the one text of the trend views: DuckDB embeds it (TrendViews) and its tests
/// check the views against real rows. Snowflake SQL cannot run here, so these check that DuckDB
/// runs the very views of the file as users apply it, and that every view reads the one
/// V_SNAPSHOT_ROWS, whose COPY-mode body (05) is DuckDB's own.
/// </summary>
public sealed partial class TrendScriptTests
{
    private static readonly string Script = SnowflakeScripts.Read("08_trends.sql");

    [Fact]
    public void Script_creates_the_duckdb_trend_views_in_the_same_order()
    {
        var names = ViewStatement().Matches(Script).Select(m => m.Groups["name"].Value).ToArray();

        // DuckDB's v_snapshot_rows comes first; 05_views.sql creates Snowflake's.
        Assert.Equal(TrendViews.Views.Skip(1).Select(v => v.Name.ToUpperInvariant()).ToArray(), names);
        Assert.Equal(TrendViews.SnapshotRows, TrendViews.Views[0].Name);
    }

    [Fact]
    public void Each_view_has_the_same_sql_as_its_duckdb_twin()
    {
        var bodies = ViewStatement().Matches(Script).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        foreach (var (name, body) in TrendViews.Views.Skip(1))
        {
            Assert.True(bodies.TryGetValue(name.ToUpperInvariant(), out var snowflake), $"08_trends.sql has no view {name.ToUpperInvariant()}");
            Assert.Equal(Normalize(body), Normalize(snowflake));
        }

        // COPY mode's V_SNAPSHOT_ROWS is DuckDB's: a load replaces its fetch_time's rows in one transaction.
        Assert.Equal(Normalize(TrendViews.SnapshotRowsBody), Normalize(SnowflakeScripts.ViewBody("05_views.sql", "V_SNAPSHOT_ROWS")));
    }

    [Fact]
    public void Every_view_has_a_comment_without_a_stray_quote()
    {
        var statements = ViewStatement().Matches(Script);

        Assert.All(statements, m => Assert.Matches(@"^\s*COMMENT = '[^']+'\s*$", m.Groups["comment"].Value));
    }

    [Theory]
    [InlineData("05_views.sql")]
    [InlineData("08_trends.sql")]
    public void Every_view_reads_the_snapshot_rows_not_the_table(string file)
    {
        var bodies = ViewStatement().Matches(SnowflakeScripts.Read(file)).Where(m => m.Groups["name"].Value != "V_SNAPSHOT_ROWS").ToList();

        Assert.NotEmpty(bodies);
        Assert.All(bodies, m => Assert.DoesNotContain("CRYPTO_DATA", m.Groups["body"].Value, StringComparison.Ordinal));
    }

    private static string Normalize(string sql) =>
        Whitespace().Replace(sql.Replace("CRYPTO_ETL_DB.PUBLIC.", "", StringComparison.OrdinalIgnoreCase), " ").Trim().ToLowerInvariant();

    [GeneratedRegex(@"CREATE OR REPLACE VIEW CRYPTO_ETL_DB\.PUBLIC\.(?<name>\w+)\n(?<comment>.*?)\nAS\n(?<body>.*?);", RegexOptions.Singleline)]
    private static partial Regex ViewStatement();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
