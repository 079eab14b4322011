namespace CryptoEtl.Testing.Snowflake;

/// <summary>The names of the account's objects as SHOW returns them: what the scripts in infra/snowflake create.</summary>
public sealed record SnowflakeObjects(
    string Database = "CRYPTO_ETL_DB",
    string Schema = "PUBLIC",
    string Warehouse = "CRYPTO_ETL_WH",
    string Role = "CRYPTO_ETL_LOADER");
