-- 08: trend analytics over the snapshot history, for Looker Studio's time-series and movers charts.
-- The same views, names, columns and SQL as the DuckDB ones in src/CryptoEtl.DuckDb/TrendViews.cs
-- (a test compares the two texts, ignoring case and the CRYPTO_ETL_DB.PUBLIC. prefix). Hence SQL
-- both accept: INTERVAL literals and window MAX instead of ASOF JOIN, whose syntax differs.
-- Run after 05-07: the reader role's FUTURE VIEWS grant (07) covers these views.
USE ROLE SYSADMIN;

-- V_SNAPSHOT_ROWS: the rows of the latest loaded file of each fetch_time, and only those. COPY mode
-- replaces a fetch_time's rows in one transaction (SOURCE_FILE NULL); Snowpipe appends each write's
-- CSV, whose name is new every time (Snowpipe never reloads a name) and sorts by write time, so the
-- greatest SOURCE_FILE of a fetch_time is its latest write that loaded (docs/snowflake.md).
CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
  COMMENT = 'The rows of the latest loaded file of each fetch_time: the rows every trend view reads'
AS
SELECT *
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
QUALIFY COALESCE(source_file, '') = MAX(COALESCE(source_file, '')) OVER (PARTITION BY fetch_time);

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
  COMMENT = 'Each coin over time: price, market cap, rank, dominance per snapshot'
AS
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
FROM CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS;

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_COIN_CHANGES
  COMMENT = 'Per coin and snapshot: price change over 1h, 24h, 7d from our own snapshots (nearest at or before; null when none), beside the 24h change CoinGecko reports'
AS
WITH timeline AS (
    SELECT vs_currency, id, fetch_time AS at_time, 0 AS is_probe, CAST(NULL AS VARCHAR) AS change_window, fetch_time AS origin_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
    UNION ALL
    SELECT vs_currency, id, fetch_time - INTERVAL '1 hour', 1, '1h', fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
    UNION ALL
    SELECT vs_currency, id, fetch_time - INTERVAL '24 hours', 1, '24h', fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
    UNION ALL
    SELECT vs_currency, id, fetch_time - INTERVAL '7 days', 1, '7d', fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
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
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = m.vs_currency AND h.id = m.id AND h.fetch_time = m.reference_time
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
FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY c
LEFT JOIN refs r1 ON r1.vs_currency = c.vs_currency AND r1.id = c.id AND r1.origin_time = c.fetch_time AND r1.change_window = '1h'
LEFT JOIN refs r24 ON r24.vs_currency = c.vs_currency AND r24.id = c.id AND r24.origin_time = c.fetch_time AND r24.change_window = '24h'
LEFT JOIN refs r7 ON r7.vs_currency = c.vs_currency AND r7.id = c.id AND r7.origin_time = c.fetch_time AND r7.change_window = '7d';

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_MOVERS
  COMMENT = 'Coins of the newest snapshot per window (1h, 24h, 7d), biggest move first, with rank change'
AS
WITH latest AS (
    SELECT *
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY
    QUALIFY fetch_time = MAX(fetch_time) OVER (PARTITION BY vs_currency)
),
refs AS (
    SELECT '1h' AS change_window, l.vs_currency, l.id, MAX(h.fetch_time) AS reference_time
    FROM latest l
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '1 hour'
    GROUP BY l.vs_currency, l.id
    UNION ALL
    SELECT '24h', l.vs_currency, l.id, MAX(h.fetch_time)
    FROM latest l
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '24 hours'
    GROUP BY l.vs_currency, l.id
    UNION ALL
    SELECT '7d', l.vs_currency, l.id, MAX(h.fetch_time)
    FROM latest l
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = l.vs_currency AND h.id = l.id AND h.fetch_time <= l.fetch_time - INTERVAL '7 days'
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
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = r.vs_currency AND h.id = r.id AND h.fetch_time = r.reference_time
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
WHERE price_change_percentage IS NOT NULL;

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_MARKET_TREND
  COMMENT = 'Total market cap and BTC/ETH dominance per snapshot'
AS
SELECT
    fetch_time,
    vs_currency,
    COUNT(*) AS coins,
    SUM(market_cap) AS total_market_cap,
    MAX(CASE WHEN id = 'bitcoin' THEN global_dominance_percentage END) AS btc_dominance_percentage,
    MAX(CASE WHEN id = 'ethereum' THEN global_dominance_percentage END) AS eth_dominance_percentage,
    MAX(CASE WHEN id = 'bitcoin' THEN dominance_percentage END) AS btc_snapshot_dominance_percentage,
    MAX(CASE WHEN id = 'ethereum' THEN dominance_percentage END) AS eth_snapshot_dominance_percentage
FROM CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
GROUP BY fetch_time, vs_currency;
