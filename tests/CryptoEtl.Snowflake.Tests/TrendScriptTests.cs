using System.Text.RegularExpressions;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Snowflake SQL cannot run here, so 08_trends.sql is held to the DuckDB views the DuckDB tests
/// check against real rows: the same views in the same order with the same SQL, up to case,
/// whitespace and the CRYPTO_ETL_DB.PUBLIC. prefix (V_SNAPSHOT_ROWS: the de-duplicating SQL DuckDB's
/// tests run).
/// </summary>
public sealed partial class TrendScriptTests
{
    private static readonly string Script = File.ReadAllText(TestData.Path("..", "infra", "snowflake", "08_trends.sql"));

    [Fact]
    public void Script_creates_the_duckdb_trend_views_in_the_same_order()
    {
        var names = ViewStatement().Matches(Script).Select(m => m.Groups["name"].Value).ToArray();

        Assert.Equal(TrendViews.Views.Select(v => v.Name.ToUpperInvariant()).ToArray(), names);
    }

    [Fact]
    public void Each_view_has_the_same_sql_as_its_duckdb_twin()
    {
        var bodies = ViewStatement().Matches(Script).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        // V_SNAPSHOT_ROWS de-duplicates Snowpipe's repeated loads; DuckDB's loads cannot repeat, so its
        // twin reads the table as it is (TrendViews.SnapshotRowsBody) and Snowflake's is held to the SQL
        // DuplicateLoadTests runs on DuckDB.
        foreach (var (name, body) in TrendViews.Views.Select(v => v.Name == TrendViews.SnapshotRows ? (v.Name, TrendViews.LatestFileSnapshotRowsBody) : v))
        {
            Assert.True(bodies.TryGetValue(name.ToUpperInvariant(), out var snowflake), $"08_trends.sql has no view {name.ToUpperInvariant()}");
            Assert.Equal(Normalize(body), Normalize(snowflake));
        }
    }

    [Fact]
    public void Every_view_has_a_comment_without_a_stray_quote()
    {
        var statements = ViewStatement().Matches(Script);

        Assert.All(statements, m => Assert.Matches(@"^\s*COMMENT = '[^']+'\s*$", m.Groups["comment"].Value));
    }

    private static string Normalize(string sql) =>
        Whitespace().Replace(sql.Replace("CRYPTO_ETL_DB.PUBLIC.", "", StringComparison.OrdinalIgnoreCase), " ").Trim().ToLowerInvariant();

    [GeneratedRegex(@"CREATE OR REPLACE VIEW CRYPTO_ETL_DB\.PUBLIC\.(?<name>\w+)\n(?<comment>.*?)\nAS\n(?<body>.*?);", RegexOptions.Singleline)]
    private static partial Regex ViewStatement();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
