-- 03: the CSV format of processed/*.csv as Transform writes it: a header line (skipped),
-- comma-separated, fields optionally in double quotes (a quote inside is doubled), an empty
-- field means NULL, UTF-8, ISO-8601 timestamps with an offset or Z.
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
  TIMESTAMP_FORMAT = 'AUTO'
  COMMENT = 'CryptoEtl processed CSV (header = CryptoSchema.CsvHeader)';
