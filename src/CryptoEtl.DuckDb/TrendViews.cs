namespace CryptoEtl.DuckDb;

/// <summary>
/// The trend views over the snapshot history. The same SQL (names qualified, upper-cased by
/// Snowflake) is infra/snowflake/08_trends.sql, and a test compares the two texts; so every view
/// is written in SQL both DuckDB and Snowflake accept: INTERVAL literals, CASE, QUALIFY, window
/// MAX, no ASOF JOIN (their syntaxes differ) and no correlated joins (Snowflake refuses them).
/// </summary>
public static class TrendViews
{
    public const string SnapshotRows = "v_snapshot_rows";
    public const string CoinHistory = "v_coin_history";
    public const string CoinChanges = "v_coin_changes";
    public const string Movers = "v_movers";
    public const string MarketTrend = "v_market_trend";

    /// <summary>The horizons of the changes, as each view labels them.</summary>
    public static IReadOnlyList<string> Windows { get; } = ["1h", "24h", "7d"];

    /// <summary>Views in creation order (each reads only those before it), as (name, body after AS).</summary>
    public static IReadOnlyList<(string Name, string Body)> Views { get; } =
    [
        // The rows of the latest loaded file of each fetch_time, and only those: a coin the newer
        // file no longer has is gone. COPY mode and DuckDB replace a fetch_time's rows in one
        // transaction (source_file NULL: the only rows of their fetch_time); Snowpipe appends each
        // write's CSV, whose name is new every time and sorts by write time (ObjectKeys.Csv), so
        // the greatest source_file of a fetch_time is its latest write that loaded. The one place
        // that picks.
        (SnapshotRows, """
            SELECT *
            FROM crypto_data
            QUALIFY COALESCE(source_file, '') = MAX(COALESCE(source_file, '')) OVER (PARTITION BY fetch_time)
            """),
        // Each coin over time: price, market cap, rank and dominance per snapshot.
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
                price_change_percentage_24h AS coingecko_price_change_percentage_24h
            FROM {SnapshotRows}
            """),
        // Change over 1 h, 24 h and 7 d from our own snapshots: against the coin's nearest row at
        // or before fetch_time minus the horizon (reference_time_* says which), null when it has
        // none. Probe rows at each horizon go into the coin's timeline; a running MAX of the real
        // rows' times up to each probe is the nearest one at or before it (real rows sort first on
        // a tie, so "at" counts). Sorting once instead of joining every pair of a coin's rows.
        (CoinChanges, $"""
            WITH timeline AS (
                SELECT vs_currency, id, fetch_time AS at_time, 0 AS is_probe, CAST(NULL AS VARCHAR) AS change_window, fetch_time AS origin_time
                FROM {CoinHistory}
                UNION ALL
                SELECT vs_currency, id, fetch_time - INTERVAL '1 hour', 1, '1h', fetch_time
                FROM {CoinHistory}
                UNION ALL
                SELECT vs_currency, id, fetch_time - INTERVAL '24 hours', 1, '24h', fetch_time
                FROM {CoinHistory}
                UNION ALL
                SELECT vs_currency, id, fetch_time - INTERVAL '7 days', 1, '7d', fetch_time
                FROM {CoinHistory}
            ),
            matched AS (
                SELECT
                    vs_currency,
                    id,
                    is_probe,
                    change_window,
                    origin_time,
                    MAX(CASE WHEN is_probe = 0 THEN at_time END) OVER (
                        PARTITION BY vs_currency, id
                        ORDER BY at_time, is_probe
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reference_time
                FROM timeline
            ),
            refs AS (
                SELECT m.vs_currency, m.id, m.change_window, m.origin_time, m.reference_time,
                    h.current_price AS reference_price, h.market_cap_rank AS reference_rank
                FROM matched m
                JOIN {CoinHistory} h ON h.vs_currency = m.vs_currency AND h.id = m.id AND h.fetch_time = m.reference_time
                WHERE m.is_probe = 1
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
                r1.reference_time AS reference_time_1h,
                100 * (c.current_price - r1.reference_price) / NULLIF(r1.reference_price, 0) AS price_change_percentage_1h,
                r1.reference_rank - c.market_cap_rank AS rank_change_1h,
                r24.reference_time AS reference_time_24h,
                100 * (c.current_price - r24.reference_price) / NULLIF(r24.reference_price, 0) AS price_change_percentage_24h,
                r24.reference_rank - c.market_cap_rank AS rank_change_24h,
                c.coingecko_price_change_percentage_24h,
                r7.reference_time AS reference_time_7d,
                100 * (c.current_price - r7.reference_price) / NULLIF(r7.reference_price, 0) AS price_change_percentage_7d,
                r7.reference_rank - c.market_cap_rank AS rank_change_7d
            FROM {CoinHistory} c
            LEFT JOIN refs r1 ON r1.vs_currency = c.vs_currency AND r1.id = c.id AND r1.origin_time = c.fetch_time AND r1.change_window = '1h'
            LEFT JOIN refs r24 ON r24.vs_currency = c.vs_currency AND r24.id = c.id AND r24.origin_time = c.fetch_time AND r24.change_window = '24h'
            LEFT JOIN refs r7 ON r7.vs_currency = c.vs_currency AND r7.id = c.id AND r7.origin_time = c.fetch_time AND r7.change_window = '7d'
            """),
        // The newest snapshot's coins per window (1h, 24h, 7d) that have a change over it, the
        // biggest move first (mover_rank 1); rank_change > 0 means the coin climbed. Same rule as
        // v_coin_changes, computed for the newest snapshot only: joining its rows (one per coin)
        // with each coin's history stays linear in the history, where v_coin_changes sorts it all.
        (Movers, $"""
            WITH latest AS (
                SELECT *
                FROM {CoinHistory}
                QUALIFY fetch_time = MAX(fetch_time) OVER (PARTITION BY vs_currency)
            ),
            refs AS (
                SELECT '1h' AS change_window, l.vs_currency, l.id, MAX(h.fetch_time) AS reference_time
                FROM latest l
                JOIN {CoinHistory} h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '1 hour'
                GROUP BY l.vs_currency, l.id
                UNION ALL
                SELECT '24h', l.vs_currency, l.id, MAX(h.fetch_time)
                FROM latest l
                JOIN {CoinHistory} h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '24 hours'
                GROUP BY l.vs_currency, l.id
                UNION ALL
                SELECT '7d', l.vs_currency, l.id, MAX(h.fetch_time)
                FROM latest l
                JOIN {CoinHistory} h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '7 days'
                GROUP BY l.vs_currency, l.id
            ),
            windows AS (
                SELECT l.fetch_time, l.vs_currency, r.change_window, l.id, l.symbol, l.name, l.current_price, l.market_cap, l.market_cap_rank,
                    r.reference_time,
                    100 * (l.current_price - h.current_price) / NULLIF(h.current_price, 0) AS price_change_percentage,
                    l.coingecko_price_change_percentage_24h,
                    h.market_cap_rank - l.market_cap_rank AS rank_change
                FROM latest l
                JOIN refs r ON r.vs_currency = l.vs_currency AND r.id = l.id
                JOIN {CoinHistory} h ON h.vs_currency = r.vs_currency AND h.id = r.id AND h.fetch_time = r.reference_time
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

    /// <summary>The DuckDB statements that create the views.</summary>
    public static IReadOnlyList<string> CreateViews { get; } =
        [.. Views.Select(v => $"CREATE OR REPLACE VIEW {v.Name} AS\n{v.Body}")];
}
