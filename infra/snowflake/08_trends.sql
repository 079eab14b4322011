-- 08: trend analytics over the snapshot history, for Looker Studio's time-series and movers charts.
-- This file is also the DuckDB warehouse's trend views: src/CryptoEtl.DuckDb embeds it and runs each
-- view below as it is, its names unqualified (TrendViews). Hence SQL both accept: INTERVAL literals
-- in minutes (never calendar days, which DST weeks stretch), MAX_BY, and a range join instead of
-- ASOF JOIN, whose syntax differs. Each view reads V_SNAPSHOT_ROWS (05; 09 in Snowpipe mode).
--
-- A change over 1h, 24h or 7d is against the coin's newest snapshot at or before that long before
-- and at most 15 min (1h) or 1 hour (24h, 7d) before it; else null, never a stale reference.
--
-- Pruning (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions, "Query
-- pruning"): micro-partitions follow the load order and keep each column's value range; loads come
-- one fetch time at a time in time order, so a constant predicate on FETCH_TIME (Looker's date range
-- control) reads only the recent micro-partitions. The change views pair snapshots by time in the
-- snapshot list (V_MARKET_TIMESERIES) before touching the coin rows, and V_MOVERS reads only the
-- newest snapshot's candidates. Snowflake does not prune on a subquery's result, even a constant
-- one: filter charts by a constant date range. Should backfills (snapshots loaded out of time order)
-- scatter FETCH_TIME over the micro-partitions, a clustering key on the day restores it, at
-- Automatic Clustering's credit cost (https://docs.snowflake.com/en/user-guide/tables-clustering-keys):
--   ALTER TABLE CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA CLUSTER BY (TO_DATE(FETCH_TIME));
-- Run after 05-07: the reader role's FUTURE VIEWS grant (07) covers these views.
USE ROLE SYSADMIN;

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
  COMMENT = 'Per coin and snapshot: price change over 1h, 24h, 7d from our own snapshots (the newest within 15 min, 1 h, 1 h before the horizon; null when none), beside the 24h change CoinGecko reports'
AS
WITH candidates AS (
    SELECT o.fetch_time AS origin_time, o.vs_currency, '1h' AS change_window, s.fetch_time AS candidate_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '60 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '75 minutes'
    UNION ALL
    SELECT o.fetch_time, o.vs_currency, '24h', s.fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '1440 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '1500 minutes'
    UNION ALL
    SELECT o.fetch_time, o.vs_currency, '7d', s.fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '10080 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '10140 minutes'
),
refs AS (
    SELECT
        k.origin_time,
        h.vs_currency,
        h.id,
        MAX(CASE WHEN k.change_window = '1h' THEN h.fetch_time END) AS reference_time_1h,
        MAX_BY(h.current_price, CASE WHEN k.change_window = '1h' THEN h.fetch_time END) AS reference_price_1h,
        MAX_BY(h.market_cap_rank, CASE WHEN k.change_window = '1h' THEN h.fetch_time END) AS reference_rank_1h,
        MAX(CASE WHEN k.change_window = '24h' THEN h.fetch_time END) AS reference_time_24h,
        MAX_BY(h.current_price, CASE WHEN k.change_window = '24h' THEN h.fetch_time END) AS reference_price_24h,
        MAX_BY(h.market_cap_rank, CASE WHEN k.change_window = '24h' THEN h.fetch_time END) AS reference_rank_24h,
        MAX(CASE WHEN k.change_window = '7d' THEN h.fetch_time END) AS reference_time_7d,
        MAX_BY(h.current_price, CASE WHEN k.change_window = '7d' THEN h.fetch_time END) AS reference_price_7d,
        MAX_BY(h.market_cap_rank, CASE WHEN k.change_window = '7d' THEN h.fetch_time END) AS reference_rank_7d
    FROM candidates k
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = k.vs_currency AND h.fetch_time = k.candidate_time
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
FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY c
LEFT JOIN refs r ON r.origin_time = c.fetch_time AND r.vs_currency = c.vs_currency AND r.id = c.id;

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_MOVERS
  COMMENT = 'Coins of the newest snapshot per window (1h, 24h, 7d), biggest move first, with rank change'
AS
WITH latest AS (
    SELECT vs_currency, MAX(fetch_time) AS fetch_time
    FROM CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES
    GROUP BY vs_currency
),
candidates AS (
    SELECT o.fetch_time AS origin_time, o.vs_currency, '1h' AS change_window, s.fetch_time AS candidate_time
    FROM latest o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '60 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '75 minutes'
    UNION ALL
    SELECT o.fetch_time, o.vs_currency, '24h', s.fetch_time
    FROM latest o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '1440 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '1500 minutes'
    UNION ALL
    SELECT o.fetch_time, o.vs_currency, '7d', s.fetch_time
    FROM latest o
    JOIN CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES s ON s.fetch_time <= o.fetch_time - INTERVAL '10080 minutes'
        AND s.fetch_time >= o.fetch_time - INTERVAL '10140 minutes'
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
    JOIN CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY h ON h.vs_currency = k.vs_currency AND h.fetch_time = k.candidate_time
    GROUP BY k.change_window, h.vs_currency, h.id
),
windows AS (
    SELECT c.fetch_time, c.vs_currency, r.change_window, c.id, c.symbol, c.name, c.current_price, c.market_cap, c.market_cap_rank,
        r.reference_time,
        100 * (c.current_price - r.reference_price) / NULLIF(r.reference_price, 0) AS price_change_percentage,
        c.coingecko_price_change_percentage_24h,
        r.reference_rank - c.market_cap_rank AS rank_change
    FROM CRYPTO_ETL_DB.PUBLIC.V_COIN_HISTORY c
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
