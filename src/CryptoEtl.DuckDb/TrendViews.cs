using System.Globalization;

namespace CryptoEtl.DuckDb;

/// <summary>
/// The trend views over the snapshot history. The same SQL (names qualified, upper-cased by
/// Snowflake) is infra/snowflake/08_trends.sql, and a test compares the two texts; so every view
/// is written in SQL both DuckDB and Snowflake accept: INTERVAL literals, CASE, QUALIFY, MAX_BY,
/// no ASOF JOIN (their syntaxes differ) and no correlated joins (Snowflake refuses them). Every
/// connection runs in UTC (<see cref="DuckDbWarehouse.OpenAsync"/>), and the views use no
/// calendar unit, so they give the same answer in any time zone.
/// </summary>
public static class TrendViews
{
    public const string SnapshotRows = "v_snapshot_rows";
    public const string CoinHistory = "v_coin_history";
    public const string CoinChanges = "v_coin_changes";
    public const string Movers = "v_movers";
    public const string MarketTrend = "v_market_trend";

    /// <summary>One row per snapshot (fetch_time, vs_currency): the snapshot list the change views pair up (05_views.sql on Snowflake).</summary>
    public const string MarketTimeseries = "v_market_timeseries";

    /// <summary>
    /// The horizons of the changes, as each view labels them, and how far before a horizon its
    /// reference snapshot may lie: a change is against the coin's newest snapshot within
    /// [fetch_time - horizon - tolerance, fetch_time - horizon], else null. A 15-minute schedule
    /// has one every 15 minutes; daily snapshots get a 24h and a 7d change but no 1h one, and a
    /// coin back in the top N after months gets no change against its old price.
    /// </summary>
    public static IReadOnlyList<ChangeWindow> Windows { get; } =
    [
        new("1h", TimeSpan.FromHours(1), TimeSpan.FromMinutes(15)),
        new("24h", TimeSpan.FromHours(24), TimeSpan.FromHours(1)),
        new("7d", TimeSpan.FromDays(7), TimeSpan.FromHours(1)),
    ];

    /// <summary>
    /// DuckDB's own v_snapshot_rows: every row of the table. A DuckDB load replaces its fetch_time's
    /// rows in one transaction and Transform keeps one row per id, so the table holds one row per
    /// key already; and a de-duplicating window over the whole table would stand between every
    /// query and the table's zone maps (a year of history: 20 s per query instead of milliseconds).
    /// </summary>
    public const string SnapshotRowsBody = "SELECT * FROM crypto_data";

    /// <summary>
    /// Snowflake's V_SNAPSHOT_ROWS (infra/snowflake/08_trends.sql): the rows of the latest loaded
    /// file of each fetch_time, and only those, so a coin the newer file no longer has is gone.
    /// COPY mode replaces a fetch_time's rows in one transaction (source_file NULL: the only rows of
    /// their fetch_time); Snowpipe appends each write's CSV, whose name is new every time and sorts
    /// by write time (ObjectKeys.Csv), so the greatest source_file of a fetch_time is its latest
    /// write that loaded. Kept here so a test can run it on DuckDB.
    /// </summary>
    public const string LatestFileSnapshotRowsBody = """
        SELECT *
        FROM crypto_data
        QUALIFY COALESCE(source_file, '') = MAX(COALESCE(source_file, '')) OVER (PARTITION BY fetch_time)
        """;

    /// <summary>Views in creation order (each reads only those before it), as (name, body after AS).</summary>
    public static IReadOnlyList<(string Name, string Body)> Views { get; } =
    [
        // One row per (fetch_time, vs_currency, id): the key of a snapshot. The one view whose body
        // differs between DuckDB and Snowflake (see the two bodies above).
        (SnapshotRows, SnapshotRowsBody),
        // Each coin over time: price, market cap, rank and dominance per snapshot; backfill_id names
        // the backfill a row came from (null: a snapshot's row).
        (CoinHistory, $"""
            SELECT
                fetch_time,
                vs_currency,
                id,
                symbol,
                name,
                current_price,
                market_cap,
                market_cap_rank,
                dominance_percentage,
                global_dominance_percentage,
                price_change_percentage_24h AS coingecko_price_change_percentage_24h,
                backfill_id
            FROM {SnapshotRows}
            """),
        // Change over 1 h, 24 h and 7 d from our own snapshots, against the coin's newest row within
        // the window's tolerance before fetch_time minus the horizon (reference_time_* says which),
        // null when it has none. The snapshot list (v_market_timeseries, one row per snapshot) pairs
        // each snapshot with the few that may serve as its references; the coins' rows are then
        // joined on those exact times, so a filter on fetch_time reaches every scan of the table
        // and a query over the last days reads only their rows and their references'.
        (CoinChanges, $"""
            WITH candidates AS (
                {Candidates(MarketTimeseries)}
            ),
            refs AS (
                SELECT
                    k.origin_time,
                    h.vs_currency,
                    h.id,
            {string.Join(",\n", Windows.Select(w => $"""
                    MAX(CASE WHEN k.change_window = '{w.Label}' THEN h.fetch_time END) AS reference_time_{w.Label},
                    MAX_BY(h.current_price, CASE WHEN k.change_window = '{w.Label}' THEN h.fetch_time END) AS reference_price_{w.Label},
                    MAX_BY(h.market_cap_rank, CASE WHEN k.change_window = '{w.Label}' THEN h.fetch_time END) AS reference_rank_{w.Label}
            """))}
                FROM candidates k
                JOIN {CoinHistory} h ON h.vs_currency = k.vs_currency AND h.fetch_time = k.candidate_time
                GROUP BY k.origin_time, h.vs_currency, h.id
            )
            SELECT
                c.fetch_time,
                c.vs_currency,
                c.id,
                c.symbol,
                c.name,
                c.current_price,
                c.market_cap,
                c.market_cap_rank,
                r.reference_time_1h,
                100 * (c.current_price - r.reference_price_1h) / NULLIF(r.reference_price_1h, 0) AS price_change_percentage_1h,
                r.reference_rank_1h - c.market_cap_rank AS rank_change_1h,
                r.reference_time_24h,
                100 * (c.current_price - r.reference_price_24h) / NULLIF(r.reference_price_24h, 0) AS price_change_percentage_24h,
                r.reference_rank_24h - c.market_cap_rank AS rank_change_24h,
                c.coingecko_price_change_percentage_24h,
                r.reference_time_7d,
                100 * (c.current_price - r.reference_price_7d) / NULLIF(r.reference_price_7d, 0) AS price_change_percentage_7d,
                r.reference_rank_7d - c.market_cap_rank AS rank_change_7d
            FROM {CoinHistory} c
            LEFT JOIN refs r ON r.origin_time = c.fetch_time AND r.vs_currency = c.vs_currency AND r.id = c.id
            """),
        // The newest snapshot's coins per window (1h, 24h, 7d) that have a change over it, the
        // biggest move first (mover_rank 1); rank_change > 0 means the coin climbed. Same rule as
        // v_coin_changes, for the newest snapshot only: it reads that snapshot's rows and its
        // references', however long the history.
        (Movers, $"""
            WITH latest AS (
                SELECT vs_currency, MAX(fetch_time) AS fetch_time
                FROM {MarketTimeseries}
                GROUP BY vs_currency
            ),
            candidates AS (
                {Candidates("latest")}
            ),
            refs AS (
                SELECT
                    k.change_window,
                    h.vs_currency,
                    h.id,
                    MAX(h.fetch_time) AS reference_time,
                    MAX_BY(h.current_price, h.fetch_time) AS reference_price,
                    MAX_BY(h.market_cap_rank, h.fetch_time) AS reference_rank
                FROM candidates k
                JOIN {CoinHistory} h ON h.vs_currency = k.vs_currency AND h.fetch_time = k.candidate_time
                GROUP BY k.change_window, h.vs_currency, h.id
            ),
            windows AS (
                SELECT c.fetch_time, c.vs_currency, r.change_window, c.id, c.symbol, c.name, c.current_price, c.market_cap, c.market_cap_rank,
                    r.reference_time,
                    100 * (c.current_price - r.reference_price) / NULLIF(r.reference_price, 0) AS price_change_percentage,
                    c.coingecko_price_change_percentage_24h,
                    r.reference_rank - c.market_cap_rank AS rank_change
                FROM {CoinHistory} c
                JOIN latest l ON l.vs_currency = c.vs_currency AND l.fetch_time = c.fetch_time
                JOIN refs r ON r.vs_currency = c.vs_currency AND r.id = c.id
            )
            SELECT
                fetch_time,
                vs_currency,
                change_window,
                ROW_NUMBER() OVER (PARTITION BY vs_currency, change_window ORDER BY ABS(price_change_percentage) DESC, id) AS mover_rank,
                id,
                symbol,
                name,
                current_price,
                market_cap,
                market_cap_rank,
                reference_time,
                price_change_percentage,
                coingecko_price_change_percentage_24h,
                rank_change
            FROM windows
            WHERE price_change_percentage IS NOT NULL
            """),
        // The market over time: total market cap and Bitcoin's and Ether's dominance, both of
        // CoinGecko's whole market (/global; null where it was not usable) and of the coins loaded.
        (MarketTrend, $"""
            SELECT
                fetch_time,
                vs_currency,
                COUNT(*) AS coins,
                SUM(market_cap) AS total_market_cap,
                MAX(CASE WHEN id = 'bitcoin' THEN global_dominance_percentage END) AS btc_dominance_percentage,
                MAX(CASE WHEN id = 'ethereum' THEN global_dominance_percentage END) AS eth_dominance_percentage,
                MAX(CASE WHEN id = 'bitcoin' THEN dominance_percentage END) AS btc_snapshot_dominance_percentage,
                MAX(CASE WHEN id = 'ethereum' THEN dominance_percentage END) AS eth_snapshot_dominance_percentage
            FROM {SnapshotRows}
            GROUP BY fetch_time, vs_currency
            """),
    ];

    /// <summary>
    /// Per origin snapshot (the rows of <paramref name="origins"/>) and window, the snapshots that
    /// may serve as its reference: a range join of the snapshot list with itself, no equality on the
    /// currency (that would pair every snapshot of a currency with every other before the range);
    /// the coin rows joined next must match the origin's currency. Hours and minutes, not days: a
    /// TIMESTAMPTZ minus '7 days' is calendar arithmetic in DuckDB's session time zone (a DST week
    /// is 167 or 169 hours); minutes are the same in every zone and in Snowflake.
    /// </summary>
    private static string Candidates(string origins) =>
        string.Join("\n    UNION ALL\n    ", Windows.Select((w, i) => string.Create(CultureInfo.InvariantCulture, $"""
            SELECT o.fetch_time{(i == 0 ? " AS origin_time" : "")}, o.vs_currency, '{w.Label}'{(i == 0 ? " AS change_window" : "")}, s.fetch_time{(i == 0 ? " AS candidate_time" : "")}
                FROM {origins} o
                JOIN {MarketTimeseries} s ON s.fetch_time <= o.fetch_time - INTERVAL '{w.Horizon.TotalMinutes:0} minutes'
                    AND s.fetch_time >= o.fetch_time - INTERVAL '{(w.Horizon + w.Tolerance).TotalMinutes:0} minutes'
            """)));

    /// <summary>The DuckDB statements that create the views.</summary>
    public static IReadOnlyList<string> CreateViews { get; } =
        [.. Views.Select(v => $"CREATE OR REPLACE VIEW {v.Name} AS\n{v.Body}")];
}

/// <summary>A change horizon and how far before it the reference may lie.</summary>
public sealed record ChangeWindow(string Label, TimeSpan Horizon, TimeSpan Tolerance);
