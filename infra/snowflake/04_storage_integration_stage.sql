-- 04: the S3 storage integration and the external stage on the bucket's processed/ prefix.
-- Placeholders (replace before running; see docs/snowflake.md, "S3 access"):
--   <SNOWFLAKE_S3_ROLE_ARN>  the IAM role Snowflake assumes, e.g. arn:aws:iam::123456789012:role/crypto-etl-snowflake
--   <BUCKET>                 the pipeline's bucket (CRYPTOETL_STORE = s3://<BUCKET>[/<PREFIX>])
--   <PREFIX>                 the store prefix with a trailing slash, or nothing when the store is the bucket root
-- The adapter loads @CRYPTO_PROCESSED_STAGE/<csv_key without "processed/">, so the stage URL
-- must end in processed/.

-- Integrations are account objects: ACCOUNTADMIN (or a role granted CREATE INTEGRATION).
USE ROLE ACCOUNTADMIN;

CREATE STORAGE INTEGRATION IF NOT EXISTS CRYPTO_ETL_S3
  TYPE = EXTERNAL_STAGE
  STORAGE_PROVIDER = 'S3'
  ENABLED = TRUE
  STORAGE_AWS_ROLE_ARN = '<SNOWFLAKE_S3_ROLE_ARN>'
  STORAGE_ALLOWED_LOCATIONS = ('s3://<BUCKET>/<PREFIX>processed/')
  COMMENT = 'CryptoEtl: read-only access to processed CSVs';

-- Copy STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID from this output into the IAM
-- role's trust policy (docs/snowflake.md shows the policy).
DESC STORAGE INTEGRATION CRYPTO_ETL_S3;

GRANT USAGE ON INTEGRATION CRYPTO_ETL_S3 TO ROLE SYSADMIN;

USE ROLE SYSADMIN;

CREATE STAGE IF NOT EXISTS CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE
  URL = 's3://<BUCKET>/<PREFIX>processed/'
  STORAGE_INTEGRATION = CRYPTO_ETL_S3
  FILE_FORMAT = CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT
  COMMENT = 'CryptoEtl processed CSVs (SNOWFLAKE_STAGE)';

-- Check: lists the CSVs once the trust policy is in place.
LIST @CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE;
