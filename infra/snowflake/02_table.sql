-- 02: the snapshot table. Columns, order and types must equal CryptoSchema.Columns mapped by
-- SnowflakeSql.TypeOf (a test checks this file against them); the CSV has the same columns in
-- the same order.
--
-- Types: TIMESTAMP_TZ keeps the UTC offset of the CSV's "...Z" times (+00:00). Amounts are FLOAT
-- (IEEE double, 15 to 17 significant digits): values with up to 15 significant digits read back
-- exactly, longer ones (CoinGecko sends many 16-17 digit values) as the nearest double; the CSV
-- keeps the exact text. NUMBER(38,s) cannot hold both 1e-10 prices and 1e18 supplies with one
-- scale. Ranks are whole numbers.
USE ROLE SYSADMIN;

CREATE TABLE IF NOT EXISTS CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA (
    FETCH_TIME                       TIMESTAMP_TZ NOT NULL,
    VS_CURRENCY                      VARCHAR NOT NULL,
    ID                               VARCHAR NOT NULL,
    SYMBOL                           VARCHAR,
    NAME                             VARCHAR,
    CURRENT_PRICE                    FLOAT,
    MARKET_CAP                       FLOAT,
    MARKET_CAP_RANK                  NUMBER(38,0),
    FULLY_DILUTED_VALUATION          FLOAT,
    TOTAL_VOLUME                     FLOAT,
    HIGH_24H                         FLOAT,
    LOW_24H                          FLOAT,
    PRICE_CHANGE_24H                 FLOAT,
    PRICE_CHANGE_PERCENTAGE_24H      FLOAT,
    MARKET_CAP_CHANGE_24H            FLOAT,
    MARKET_CAP_CHANGE_PERCENTAGE_24H FLOAT,
    CIRCULATING_SUPPLY               FLOAT,
    TOTAL_SUPPLY                     FLOAT,
    MAX_SUPPLY                       FLOAT,
    ATH                              FLOAT,
    ATH_CHANGE_PERCENTAGE            FLOAT,
    ATH_DATE                         TIMESTAMP_TZ,
    ATL                              FLOAT,
    ATL_CHANGE_PERCENTAGE            FLOAT,
    ATL_DATE                         TIMESTAMP_TZ,
    ROI_TIMES                        FLOAT,
    ROI_CURRENCY                     VARCHAR,
    ROI_PERCENTAGE                   FLOAT,
    LAST_UPDATED                     TIMESTAMP_TZ,
    DOMINANCE_PERCENTAGE             FLOAT,
    VOLUME_PERCENTAGE                FLOAT,
    GLOBAL_DOMINANCE_PERCENTAGE      FLOAT,
    CONSTRAINT PK_CRYPTO_DATA PRIMARY KEY (FETCH_TIME, VS_CURRENCY, ID)
)
COMMENT = 'One row per coin per snapshot (fetch_time). Loaded by CryptoEtl; data provided by CoinGecko.';

-- Load metadata, for the Snowpipe load mode (09): the stage file each row came from
-- (METADATA$FILENAME) and when its load started (METADATA$START_SCAN_TIME). A pipe appends each
-- file and never loads a file name twice, so every write of a snapshot is a CSV of its own name
-- (a write id that sorts by write time), and V_SNAPSHOT_ROWS (05; 09 in pipe mode) shows the rows of each
-- fetch_time's latest loaded file. COPY mode leaves both NULL (it replaces a fetch_time's rows in
-- one transaction). ALTER ... IF NOT EXISTS, so an existing table gains them when this is re-run.
ALTER TABLE CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA ADD COLUMN IF NOT EXISTS SOURCE_FILE VARCHAR;
ALTER TABLE CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA ADD COLUMN IF NOT EXISTS LOADED_AT TIMESTAMP_LTZ;
