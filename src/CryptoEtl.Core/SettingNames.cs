namespace CryptoEtl.Core;

/// <summary>
/// Environment variables the Lambda functions and the CLI read. One list, so the SAM template,
/// the functions and the docs name the same things.
/// </summary>
public static class SettingNames
{
    /// <summary>Where objects live: s3://bucket[/prefix] or a local folder (file:///path or a path).</summary>
    public const string Store = "CRYPTOETL_STORE";

    /// <summary>An S3-compatible endpoint (moto, MinIO); unset for AWS itself.</summary>
    public const string S3Endpoint = "CRYPTOETL_S3_ENDPOINT";

    /// <summary>S3 server-side encryption: AES256 (default), aws:kms, or none (servers without SSE).</summary>
    public const string S3ServerSideEncryption = "CRYPTOETL_S3_SSE";

    /// <summary>The KMS key (id, ARN or alias) for aws:kms; unset uses the account's aws/s3 key.</summary>
    public const string S3KmsKeyId = "CRYPTOETL_S3_KMS_KEY_ID";

    public const string CoinGeckoApiUrl = "COINGECKO_API_URL";

    /// <summary>The key itself, for the CLI. Lambda never takes a secret from the environment.</summary>
    public const string CoinGeckoApiKey = "COINGECKO_API_KEY";

    /// <summary>Lambda: the SSM SecureString parameter holding the CoinGecko key (optional).</summary>
    public const string CoinGeckoApiKeyParameter = "COINGECKO_API_KEY_PARAMETER";

    public const string CoinGeckoRatePerMinute = "COINGECKO_RATE_PER_MINUTE";

    /// <summary>How Load puts a CSV into Snowflake: copy (COPY on a warehouse, the default) or pipe (confirms Snowpipe's ingestion, no warehouse).</summary>
    public const string LoadMode = "CRYPTOETL_LOAD_MODE";

    public const string SnowflakeAccount = "SNOWFLAKE_ACCOUNT";
    public const string SnowflakeUser = "SNOWFLAKE_USER";
    public const string SnowflakeRole = "SNOWFLAKE_ROLE";
    public const string SnowflakeWarehouse = "SNOWFLAKE_WAREHOUSE";
    public const string SnowflakeDatabase = "SNOWFLAKE_DATABASE";
    public const string SnowflakeSchema = "SNOWFLAKE_SCHEMA";
    public const string SnowflakeStage = "SNOWFLAKE_STAGE";

    /// <summary>Pipe mode's pipe name (default CRYPTO_PROCESSED_PIPE, in SNOWFLAKE_DATABASE.SNOWFLAKE_SCHEMA).</summary>
    public const string SnowflakePipe = "SNOWFLAKE_PIPE";
    public const string SnowflakeApiUrl = "SNOWFLAKE_API_URL";

    /// <summary>CLI: path of the PKCS#8 PEM private key.</summary>
    public const string SnowflakePrivateKeyPath = "SNOWFLAKE_PRIVATE_KEY_PATH";

    /// <summary>CLI: passphrase of an encrypted PEM key.</summary>
    public const string SnowflakePrivateKeyPassphrase = "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE";

    /// <summary>Lambda: the SSM SecureString parameter holding the PEM private key.</summary>
    public const string SnowflakePrivateKeyParameter = "SNOWFLAKE_PRIVATE_KEY_PARAMETER";
}
