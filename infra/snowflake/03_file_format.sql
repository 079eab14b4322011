-- 03: the CSV format of processed/*.csv as Transform writes it: a header line (skipped),
-- comma-separated, fields optionally in double quotes (a quote inside is doubled), an empty
-- field means NULL, UTF-8. Timestamps are ISO 8601 in UTC with a Z, in two forms: fetch_time as
-- 2026-11-25T12:00:00Z, CoinGecko's ath_date/atl_date/last_updated as 2021-11-10T14:24:11.849Z,
-- whatever form CoinGecko sent (Transform rewrites offsets, other precisions and bare dates to
-- it, and leaves unreadable ones empty: docs/snowflake.md, "Timestamps: one form in the CSV"). AUTO detection is not documented for the Z form, so the format is
-- explicit: CoinGecko's form here; the adapter's COPY parses each timestamp column with its own
-- format (SnowflakeSql.FetchTimeFormat / CoinGeckoTimestampFormat) under TIMEZONE = 'UTC', the
-- literal "Z" then meaning UTC.
USE ROLE SYSADMIN;

CREATE OR REPLACE FILE FORMAT CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT
  TYPE = CSV
  FIELD_DELIMITER = ','
  SKIP_HEADER = 1
  FIELD_OPTIONALLY_ENCLOSED_BY = '"'
  EMPTY_FIELD_AS_NULL = TRUE
  -- Only an unquoted empty field is NULL; no text value (not even "NULL") is turned into one.
  NULL_IF = ()
  ENCODING = 'UTF8'
  TRIM_SPACE = FALSE
  ERROR_ON_COLUMN_COUNT_MISMATCH = TRUE
  TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"'
  COMMENT = 'CryptoEtl processed CSV (header = CryptoSchema.CsvHeader)';
