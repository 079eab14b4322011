-- 01: warehouse, database and schema. Run as SYSADMIN (or a role with CREATE WAREHOUSE/DATABASE).
-- Every script is safe to run again: IF NOT EXISTS for anything holding data, OR REPLACE for
-- definitions only.
USE ROLE SYSADMIN;

-- X-Small is plenty for a few thousand rows per load. Every resume bills at least 60 seconds
-- (then per second); suspending after 60 s idle keeps an hourly load to about 2 minutes billed.
CREATE WAREHOUSE IF NOT EXISTS CRYPTO_ETL_WH
  WAREHOUSE_SIZE = XSMALL
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE
  COMMENT = 'CryptoEtl loads and Looker Studio queries';

CREATE DATABASE IF NOT EXISTS CRYPTO_ETL_DB COMMENT = 'CryptoEtl: CoinGecko market snapshots';
CREATE SCHEMA IF NOT EXISTS CRYPTO_ETL_DB.PUBLIC;
