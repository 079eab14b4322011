-- 09: Snowpipe load mode (CRYPTOETL_LOAD_MODE=pipe / --load pipe): the processed/ CSVs load
-- themselves, serverless, when S3 tells the pipe they arrived; no warehouse resumes per run.
-- Billing: a fixed credit amount per GB, text files at their uncompressed size (docs/snowflake.md,
-- "Snowpipe load mode"; docs/cost.md). Run after 01-08, as SYSADMIN.
--
-- The pipe's COPY is SnowpipeSql.Copy (src/CryptoEtl.Snowflake/SnowpipeSql.cs; a test holds this
-- file to it): the same column list and file format as the adapter's COPY, each timestamp with an
-- explicit +00:00 (a pipe has no session of ours with TIMEZONE = UTC), plus two load-metadata
-- columns. CREATE PIPE forbids some COPY options (FORCE, ON_ERROR = ABORT_STATEMENT, PURGE, ...;
-- a test checks none is here): ON_ERROR = SKIP_FILE loads a file whole or not at all.
-- Snowpipe never loads a file name it has seen in the last 14 days, even after the file changed,
-- and a file that failed stays registered (docs.snowflake.com/en/user-guide/data-load-snowpipe-intro,
-- "Data duplication"; data-load-snowpipe-ts). So every write of a snapshot, a re-run or a repair
-- included, is a CSV of a new name (processed_crypto_data_<stamp>_<write id>.csv, the write id
-- sorting by write time), and there is no transaction around a pipe's load: the table keeps each
-- loaded file's rows with its name (SOURCE_FILE; LOADED_AT its load's start, both added by 02),
-- and below V_SNAPSHOT_ROWS (05), which every view reads, shows each fetch_time's latest loaded file. Do not also load this table by COPY (Snowflake advises bulk or
-- Snowpipe, not both): the adapter's COPY mode refuses a table a pipe feeds.
-- PATTERN takes snapshot CSVs only, never a backfill's (processed/history/...: its rows need a
-- backfill id and a bucket's replacement in one transaction, docs/backfill.md); a pipe made with
-- the former PATTERN = '.*[.]csv' needs CREATE OR REPLACE PIPE.
USE ROLE SYSADMIN;

CREATE PIPE IF NOT EXISTS CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_PIPE
  AUTO_INGEST = TRUE
  COMMENT = 'CryptoEtl pipe mode: loads processed/*.csv on the S3 event notification'
AS
COPY INTO CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA (
    FETCH_TIME, VS_CURRENCY, ID, SYMBOL, NAME, CURRENT_PRICE, MARKET_CAP, MARKET_CAP_RANK,
    FULLY_DILUTED_VALUATION, TOTAL_VOLUME, HIGH_24H, LOW_24H, PRICE_CHANGE_24H,
    PRICE_CHANGE_PERCENTAGE_24H, MARKET_CAP_CHANGE_24H, MARKET_CAP_CHANGE_PERCENTAGE_24H,
    CIRCULATING_SUPPLY, TOTAL_SUPPLY, MAX_SUPPLY, ATH, ATH_CHANGE_PERCENTAGE, ATH_DATE, ATL,
    ATL_CHANGE_PERCENTAGE, ATL_DATE, ROI_TIMES, ROI_CURRENCY, ROI_PERCENTAGE, LAST_UPDATED,
    DOMINANCE_PERCENTAGE, VOLUME_PERCENTAGE, GLOBAL_DOMINANCE_PERCENTAGE, SOURCE_FILE, LOADED_AT
)
FROM (SELECT
    TO_TIMESTAMP_TZ(CONCAT($1, '+00:00'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"TZH:TZM'), $2, $3, $4, $5, $6,
    $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
    TO_TIMESTAMP_TZ(CONCAT($22, '+00:00'), 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"TZH:TZM'), $23, $24,
    TO_TIMESTAMP_TZ(CONCAT($25, '+00:00'), 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"TZH:TZM'), $26, $27, $28,
    TO_TIMESTAMP_TZ(CONCAT($29, '+00:00'), 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"TZH:TZM'), $30, $31, $32,
    METADATA$FILENAME, METADATA$START_SCAN_TIME
  FROM @CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE)
FILE_FORMAT = (FORMAT_NAME = CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT)
PATTERN = '.*processed_crypto_data_.*[.]csv'
ON_ERROR = SKIP_FILE;

-- V_SNAPSHOT_ROWS of 05, replaced: the rows of the latest loaded file of each fetch_time, and only
-- those. Snowpipe appends each write's CSV, whose name is new every time (Snowpipe never reloads a
-- name) and sorts by write time, so the greatest SOURCE_FILE of a fetch_time is its latest write that
-- loaded (docs/snowflake.md); rows COPY mode loaded (SOURCE_FILE NULL) are their fetch_time's only
-- ones. Every view of 05 and 08 reads this view, so they all follow, with the same names and columns.
CREATE OR REPLACE VIEW CRYPTO_ETL_DB.PUBLIC.V_SNAPSHOT_ROWS
  COMMENT = 'The rows of the latest loaded file of each fetch_time: the rows every other view reads'
AS
SELECT *
FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA
QUALIFY COALESCE(source_file, '') = MAX(COALESCE(source_file, '')) OVER (PARTITION BY fetch_time);

-- The pipe's SQS queue for the SAM template's SnowpipeNotificationChannel parameter: the
-- notification_channel column.
SHOW PIPES LIKE 'CRYPTO_PROCESSED_PIPE' IN SCHEMA CRYPTO_ETL_DB.PUBLIC;

-- The Load step (pipe mode) reads the pipe's load history through the Snowpipe REST API as the
-- loader user, under its DEFAULT_ROLE (the REST API takes no role); that API needs MONITOR on the
-- pipe (403 without it; 404 without any privilege on it). 07 makes CRYPTO_ETL_LOADER the loader
-- user's default role and grants it its other privileges. MONITOR also lets COPY mode's SHOW PIPES
-- see the pipe and refuse to load the table twice.
GRANT MONITOR ON PIPE CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_PIPE TO ROLE CRYPTO_ETL_LOADER;
