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
    /// nullable here, so <see cref="TrendViews.SnapshotRows"/> has the same SQL on both sides. A
    /// DuckDB load replaces its fetch_time's rows in one transaction and leaves them NULL. Added
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
    public const string MarketTimeseriesView = "v_market_timeseries";

    /// <summary>
    /// The local twins of the Snowflake views in infra/snowflake/05_views.sql, same names and
    /// columns: the newest snapshot per vs_currency (one row per coin), and the market's totals
    /// per snapshot. The report and ad-hoc queries read these. Both read the deduplicated
    /// <see cref="TrendViews.SnapshotRows"/>, as 09_snowpipe.sql re-points the Snowflake ones.
    /// </summary>
    public static IReadOnlyList<string> CreateViews { get; } =
    [
        .. TrendViews.CreateViews,
        $"""
        CREATE OR REPLACE VIEW {LatestSnapshotView} AS
        SELECT * FROM {TrendViews.SnapshotRows}
        QUALIFY fetch_time = max(fetch_time) OVER (PARTITION BY vs_currency)
        """,
        $"""
        CREATE OR REPLACE VIEW {MarketTimeseriesView} AS
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
        FROM {TrendViews.SnapshotRows}
        GROUP BY fetch_time, vs_currency
        """,
    ];

    /// <summary>The struct read_csv takes: every column with its type, so nothing is guessed.</summary>
    public static string ReadCsvColumns { get; } =
        "{" + string.Join(", ", CryptoSchema.Columns.Select(c => $"'{c.Name}': '{TypeOf(c.Type)}'")) + "}";
}
