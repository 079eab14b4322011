using System.Security.Cryptography;
using CryptoEtl.Snowflake;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>The committed test-only key pair (tests/data/snowflake/README.md); not a secret.</summary>
public static class TestKeys
{
    public const string Passphrase = "test-only-passphrase";

    public static string PrivatePem => File.ReadAllText(TestData.Path("snowflake", "test_rsa_key.p8"));

    public static string EncryptedPrivatePem => File.ReadAllText(TestData.Path("snowflake", "test_rsa_key_encrypted.p8"));

    /// <summary>Computed by openssl, not by the code under test.</summary>
    public static string OpensslFingerprint => File.ReadAllText(TestData.Path("snowflake", "test_rsa_key.fingerprint")).Trim();

    public static RSA PublicKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(TestData.Path("snowflake", "test_rsa_key.pub")));
        return rsa;
    }

    public static SnowflakeOptions Options(Uri baseUrl, int maxAttempts = 3) => new()
    {
        Account = "xy12345.us-east-1",
        User = "crypto_etl_loader_user",
        Warehouse = "CRYPTO_ETL_WH",
        Role = "CRYPTO_ETL_LOADER",
        PrivateKey = KeyPairJwt.ReadPrivateKey(PrivatePem, null, "test key"),
        BaseUrl = baseUrl,
        MaxAttempts = maxAttempts,
    };
}
