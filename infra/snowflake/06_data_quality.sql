-- 06: data-quality checks. The view returns rows only when something is wrong, one row per
-- problem (CHECK_NAME, FETCH_TIME, VS_CURRENCY, ID, DETAIL): `SELECT * FROM V_DATA_QUALITY_ISSUES`
-- being empty is the all-clear. Each branch can also be run on its own.
USE ROLE SYSADMIN;

CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_DATA_QUALITY_ISSUES
  COMMENT = 'Rows only when the data is wrong; empty = healthy'
AS
-- The key (fetch_time, vs_currency, id) is declared but not enforced by Snowflake.
SELECT 'duplicate_key' AS CHECK_NAME, FETCH_TIME, VS_CURRENCY, ID,
       COUNT(*) || ' rows for one coin in one snapshot' AS DETAIL
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
GROUP BY FETCH_TIME, VS_CURRENCY, ID
HAVING COUNT(*) > 1

UNION ALL
SELECT 'missing_price', FETCH_TIME, VS_CURRENCY, ID, 'current_price is NULL'
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
WHERE CURRENT_PRICE IS NULL

UNION ALL
SELECT 'negative_amount', FETCH_TIME, VS_CURRENCY, ID,
       'negative price, market cap, volume or supply'
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
WHERE CURRENT_PRICE < 0 OR MARKET_CAP < 0 OR TOTAL_VOLUME < 0
   OR CIRCULATING_SUPPLY < 0 OR TOTAL_SUPPLY < 0 OR MAX_SUPPLY < 0

UNION ALL
SELECT 'low_above_high', FETCH_TIME, VS_CURRENCY, ID,
       'low_24h ' || LOW_24H || ' > high_24h ' || HIGH_24H
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
WHERE LOW_24H > HIGH_24H

UNION ALL
SELECT 'supply_above_max', FETCH_TIME, VS_CURRENCY, ID,
       'circulating_supply ' || CIRCULATING_SUPPLY || ' > max_supply ' || MAX_SUPPLY
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
-- 0.1% slack: CoinGecko's supplies are rounded independently.
WHERE MAX_SUPPLY > 0 AND CIRCULATING_SUPPLY > MAX_SUPPLY * 1.001

UNION ALL
SELECT 'updated_after_fetch', FETCH_TIME, VS_CURRENCY, ID,
       'last_updated ' || LAST_UPDATED || ' is after the snapshot was fetched'
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
WHERE LAST_UPDATED > DATEADD(MINUTE, 5, FETCH_TIME)

UNION ALL
SELECT 'duplicate_rank', FETCH_TIME, VS_CURRENCY, NULL,
       'market_cap_rank ' || MARKET_CAP_RANK || ' held by ' || COUNT(*) || ' coins'
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
WHERE MARKET_CAP_RANK IS NOT NULL
GROUP BY FETCH_TIME, VS_CURRENCY, MARKET_CAP_RANK
HAVING COUNT(*) > 1

UNION ALL
-- Shares of the listed coins' total cannot add up to more than 100%.
SELECT 'dominance_over_100', FETCH_TIME, VS_CURRENCY, NULL,
       'dominance_percentage sums to ' || ROUND(SUM(DOMINANCE_PERCENTAGE), 4)
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
GROUP BY FETCH_TIME, VS_CURRENCY
HAVING SUM(DOMINANCE_PERCENTAGE) > 100.01

UNION ALL
-- Freshness: the pipeline runs at least daily; no snapshot for 26 hours means it stopped.
SELECT 'stale', MAX(FETCH_TIME), VS_CURRENCY, NULL,
       'newest snapshot is ' || DATEDIFF(HOUR, MAX(FETCH_TIME), CURRENT_TIMESTAMP()) || ' hours old'
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
GROUP BY VS_CURRENCY
HAVING MAX(FETCH_TIME) < DATEADD(HOUR, -26, CURRENT_TIMESTAMP());
