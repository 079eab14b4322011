using CryptoEtl.Core;

namespace CryptoEtl.DuckDb;

/// <summary>CryptoSchema in DuckDB's types.</summary>
public static class DuckDbSchema
{
    public static string TypeOf(ColumnType type) => type switch
    {
        ColumnType.Timestamp => "TIMESTAMPTZ",
        ColumnType.Text => "VARCHAR",
        ColumnType.Number => "DOUBLE",
        ColumnType.WholeNumber => "BIGINT",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string CreateTable { get; } =
        $"CREATE TABLE IF NOT EXISTS {CryptoSchema.TableName} (\n    "
        + string.Join(",\n    ", CryptoSchema.Columns.Select(c => $"{c.Name} {TypeOf(c.Type)}{(c.Name is "fetch_time" or "id" ? " NOT NULL" : "")}"))
        + ",\n    PRIMARY KEY (fetch_time, id)\n)";

    public const string LatestSnapshotView = "v_latest_snapshot";
    public const string MarketTimeseriesView = "v_market_timeseries";

    /// <summary>
    /// The local twins of the Snowflake views (infra/snowflake): every row of the newest snapshot,
    /// and one row of market totals per snapshot. The report and ad-hoc queries read these.
    /// </summary>
    public static IReadOnlyList<string> CreateViews { get; } =
    [
        $"""
        CREATE OR REPLACE VIEW {LatestSnapshotView} AS
        SELECT * FROM {CryptoSchema.TableName}
        WHERE fetch_time = (SELECT max(fetch_time) FROM {CryptoSchema.TableName})
        """,
        // The 24h change compares today's caps with yesterday's over the coins that have both.
        $"""
        CREATE OR REPLACE VIEW {MarketTimeseriesView} AS
        SELECT
            fetch_time,
            vs_currency,
            count(*) AS coins,
            sum(market_cap) AS total_market_cap,
            sum(total_volume) AS total_volume,
            sum(market_cap_change_24h) FILTER (WHERE market_cap IS NOT NULL) AS market_cap_change_24h,
            100 * sum(market_cap_change_24h) FILTER (WHERE market_cap IS NOT NULL)
                / nullif(sum(market_cap - market_cap_change_24h), 0) AS market_cap_change_percentage_24h,
            max(global_dominance_percentage) FILTER (WHERE id = 'bitcoin') AS btc_dominance,
            max(global_dominance_percentage) FILTER (WHERE id = 'ethereum') AS eth_dominance,
            max(dominance_percentage) FILTER (WHERE id = 'bitcoin') AS btc_snapshot_dominance,
            max(dominance_percentage) FILTER (WHERE id = 'ethereum') AS eth_snapshot_dominance
        FROM {CryptoSchema.TableName}
        GROUP BY fetch_time, vs_currency
        """,
    ];

    /// <summary>The struct read_csv takes: every column with its type, so nothing is guessed.</summary>
    public static string ReadCsvColumns { get; } =
        "{" + string.Join(", ", CryptoSchema.Columns.Select(c => $"'{c.Name}': '{TypeOf(c.Type)}'")) + "}";
}
