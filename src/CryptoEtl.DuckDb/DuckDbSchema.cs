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
        // No PRIMARY KEY (fetch_time, id): its index made replacing a 500,000-row snapshot take 15 s
        // instead of about 1 s. Uniqueness holds without it: Transform keeps one row per id, and a
        // load replaces its fetch_time's rows in one transaction.
        + "\n)";

    /// <summary>
    /// The load-metadata columns Snowflake's pipe mode fills (infra/snowflake/02_table.sql):
    /// nullable here, so Snowflake's latest-file SQL (V_SNAPSHOT_ROWS of infra/snowflake/09_snowpipe.sql)
    /// runs on DuckDB too. A DuckDB load replaces its fetch_time's rows in one transaction and leaves them NULL. Added
    /// with IF NOT EXISTS so a database made before them gains them.
    /// </summary>
    public static IReadOnlyList<string> AddLoadMetadataColumns { get; } =
    [
        $"ALTER TABLE {CryptoSchema.TableName} ADD COLUMN IF NOT EXISTS source_file VARCHAR",
        $"ALTER TABLE {CryptoSchema.TableName} ADD COLUMN IF NOT EXISTS loaded_at TIMESTAMPTZ",
    ];

    /// <summary>The schema's columns, for an INSERT that leaves the load-metadata columns NULL.</summary>
    public static string ColumnList { get; } = string.Join(", ", CryptoSchema.Columns.Select(c => c.Name));

    public const string LatestSnapshotView = "v_latest_snapshot";
    public const string MarketTimeseriesView = TrendViews.MarketTimeseries;

    /// <summary>
    /// The snapshot index: one row per (fetch_time, vs_currency) with the market's totals, written by
    /// each load in its own transaction (<see cref="IndexSnapshots"/>). The newest snapshot, the
    /// snapshot list the change views pair up and the report's history come from its few thousand
    /// rows instead of an aggregate over every row of the history.
    /// </summary>
    public const string SnapshotIndexTable = "crypto_snapshots";

    /// <summary>The totals of v_market_timeseries, per snapshot of crypto_data matching <paramref name="condition"/>.</summary>
    private static string SnapshotTotals(string condition) => $"""
        SELECT
            fetch_time,
            vs_currency,
            count(*) AS coins,
            sum(market_cap) AS total_market_cap,
            sum(total_volume) AS total_volume,
            max(CASE WHEN id = 'bitcoin' THEN current_price END) AS btc_price,
            max(CASE WHEN id = 'ethereum' THEN current_price END) AS eth_price,
            max(CASE WHEN id = 'bitcoin' THEN global_dominance_percentage END) AS btc_dominance_percentage,
            max(CASE WHEN id = 'ethereum' THEN global_dominance_percentage END) AS eth_dominance_percentage,
            max(CASE WHEN id = 'bitcoin' THEN dominance_percentage END) AS btc_snapshot_dominance_percentage,
            median(price_change_percentage_24h) AS median_price_change_percentage_24h,
            count_if(price_change_percentage_24h > 0) AS gainers_24h,
            count_if(price_change_percentage_24h < 0) AS losers_24h
        FROM {CryptoSchema.TableName}
        WHERE {condition}
        GROUP BY fetch_time, vs_currency
        """;

    /// <summary>Creates the index from the whole table; run only when the table is missing (a database made before it).</summary>
    public static string CreateSnapshotIndex { get; } =
        $"CREATE TABLE {SnapshotIndexTable} AS\n" + SnapshotTotals("true");

    /// <summary>
    /// Re-indexes the snapshots of crypto_data matching <paramref name="condition"/> (SQL over
    /// crypto_data's columns, e.g. "fetch_time = $1"): the load runs it for its fetch_time inside
    /// its transaction, so the index and the rows never disagree.
    /// </summary>
    public static IReadOnlyList<string> IndexSnapshots(string condition) =>
    [
        $"DELETE FROM {SnapshotIndexTable} WHERE {condition}",
        $"INSERT INTO {SnapshotIndexTable}\n" + SnapshotTotals(condition),
    ];

    /// <summary>
    /// The local twins of the Snowflake views in infra/snowflake/05_views.sql, same names and
    /// columns: the market's totals per snapshot (from the snapshot index), and the newest
    /// snapshot per vs_currency (one row per coin; its fetch_time from the index, so DuckDB reads
    /// only the row groups of that time). Then the trend views, which read both.
    /// </summary>
    public static IReadOnlyList<string> CreateViews { get; } =
    [
        $"""
        CREATE OR REPLACE VIEW {MarketTimeseriesView} AS
        SELECT * FROM {SnapshotIndexTable}
        """,
        .. TrendViews.CreateViews,
        $"""
        CREATE OR REPLACE VIEW {LatestSnapshotView} AS
        SELECT s.*
        FROM {TrendViews.SnapshotRows} s
        JOIN (SELECT vs_currency, max(fetch_time) AS fetch_time FROM {SnapshotIndexTable} GROUP BY vs_currency) latest
            ON s.vs_currency = latest.vs_currency AND s.fetch_time = latest.fetch_time
        """,
    ];

    /// <summary>The struct read_csv takes: every column with its type, so nothing is guessed.</summary>
    public static string ReadCsvColumns { get; } =
        "{" + string.Join(", ", CryptoSchema.Columns.Select(c => $"'{c.Name}': '{TypeOf(c.Type)}'")) + "}";
}
