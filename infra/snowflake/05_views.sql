-- 05: the views Looker Studio (and people) query.
USE ROLE SYSADMIN;

-- V_SNAPSHOT_ROWS: the rows every other view reads (these two and the trend views of 08), one row
-- per (fetch_time, vs_currency, id). COPY mode replaces a fetch_time's rows in one transaction, so
-- they are the table as it is, as in DuckDB (src/CryptoEtl.DuckDb/TrendViews.cs, SnapshotRowsBody).
-- Snowpipe mode's 09 replaces this one view with the rows of each fetch_time's latest loaded file,
-- and every view reading it follows; no other view is written twice.
CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
  COMMENT = 'One row per coin per snapshot: the rows every other view reads'
AS
SELECT *
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA;

-- The newest snapshot per quote currency: one row per coin.
CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_LATEST_SNAPSHOT
  COMMENT = 'Latest CoinGecko snapshot per vs_currency, one row per coin'
AS
SELECT *
FROM CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
QUALIFY FETCH_TIME = MAX(FETCH_TIME) OVER (PARTITION BY VS_CURRENCY);

-- The market over time: one row per snapshot and quote currency, for time-series charts.
CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES
  COMMENT = 'Market totals per snapshot (fetch_time, vs_currency)'
AS
SELECT
    FETCH_TIME,
    VS_CURRENCY,
    COUNT(*)                                                    AS COINS,
    SUM(MARKET_CAP)                                             AS TOTAL_MARKET_CAP,
    SUM(TOTAL_VOLUME)                                           AS TOTAL_VOLUME,
    MAX(IFF(ID = 'bitcoin', CURRENT_PRICE, NULL))               AS BTC_PRICE,
    MAX(IFF(ID = 'ethereum', CURRENT_PRICE, NULL))              AS ETH_PRICE,
    MAX(IFF(ID = 'bitcoin', GLOBAL_DOMINANCE_PERCENTAGE, NULL)) AS BTC_DOMINANCE_PERCENTAGE,
    MAX(IFF(ID = 'ethereum', GLOBAL_DOMINANCE_PERCENTAGE, NULL)) AS ETH_DOMINANCE_PERCENTAGE,
    MAX(IFF(ID = 'bitcoin', DOMINANCE_PERCENTAGE, NULL))        AS BTC_SNAPSHOT_DOMINANCE_PERCENTAGE,
    MEDIAN(PRICE_CHANGE_PERCENTAGE_24H)                         AS MEDIAN_PRICE_CHANGE_PERCENTAGE_24H,
    COUNT_IF(PRICE_CHANGE_PERCENTAGE_24H > 0)                   AS GAINERS_24H,
    COUNT_IF(PRICE_CHANGE_PERCENTAGE_24H < 0)                   AS LOSERS_24H
FROM CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
GROUP BY FETCH_TIME, VS_CURRENCY;
