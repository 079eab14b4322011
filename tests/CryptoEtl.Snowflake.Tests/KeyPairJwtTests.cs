using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

public sealed class KeyPairJwtTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fingerprint_equals_openssl_sha256_of_the_der_public_key()
    {
        using var key = KeyPairJwt.ReadPrivateKey(TestKeys.PrivatePem, null, "test");
        Assert.Equal(TestKeys.OpensslFingerprint, KeyPairJwt.PublicKeyFingerprint(key));
    }

    // iss = ACCOUNT.USER.SHA256:fp, sub = ACCOUNT.USER, exp at most an hour after iat:
    // docs.snowflake.com/en/developer-guide/sql-api/authenticating ("Generate a JWT token").
    [Fact]
    public void Token_claims_name_the_account_and_user_and_last_under_an_hour()
    {
        using var key = KeyPairJwt.ReadPrivateKey(TestKeys.PrivatePem, null, "test");
        var jwt = new KeyPairJwt("xy12345.us-east-1", "crypto_etl_loader_user", key, new SteppingTimeProvider(Start));

        var parts = jwt.Token().Split('.');

        using var publicKey = TestKeys.PublicKey();
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
            System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        Assert.Equal($"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}", root.GetProperty("iss").GetString());
        Assert.Equal("XY12345.CRYPTO_ETL_LOADER_USER", root.GetProperty("sub").GetString());
        Assert.Equal(Start.ToUnixTimeSeconds(), root.GetProperty("iat").GetInt64());
        Assert.Equal(Start.AddMinutes(59).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void Token_is_reused_until_close_to_expiry_then_renewed()
    {
        using var key = KeyPairJwt.ReadPrivateKey(TestKeys.PrivatePem, null, "test");
        var time = new SteppingTimeProvider(Start);
        var jwt = new KeyPairJwt("xy12345", "u", key, time);

        var first = jwt.Token();
        time.Advance(TimeSpan.FromMinutes(53));
        Assert.Same(first, jwt.Token());
        time.Advance(TimeSpan.FromMinutes(1));
        var renewed = jwt.Token();

        Assert.NotEqual(first, renewed);
        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(renewed.Split('.')[1]));
        Assert.Equal(Start.AddMinutes(54).ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
    }

    [Fact]
    public void Encrypted_pkcs8_key_reads_with_its_passphrase_and_gives_the_same_fingerprint()
    {
        using var key = KeyPairJwt.ReadPrivateKey(TestKeys.EncryptedPrivatePem, TestKeys.Passphrase, "test");
        Assert.Equal(TestKeys.OpensslFingerprint, KeyPairJwt.PublicKeyFingerprint(key));
    }

    [Fact]
    public void Encrypted_key_without_passphrase_is_a_configuration_error_naming_the_setting()
    {
        var ex = Assert.Throws<PipelineException>(() => KeyPairJwt.ReadPrivateKey(TestKeys.EncryptedPrivatePem, null, "/keys/rsa_key.p8"));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(SettingNames.SnowflakePrivateKeyPassphrase, ex.Message, StringComparison.Ordinal);
        Assert.Contains("/keys/rsa_key.p8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_passphrase_or_garbage_is_a_configuration_error_that_never_echoes_the_key()
    {
        var wrong = Assert.Throws<PipelineException>(() => KeyPairJwt.ReadPrivateKey(TestKeys.EncryptedPrivatePem, "nope", "ssm:/crypto-etl/key"));
        Assert.Equal(ErrorNames.Configuration, wrong.ErrorName);
        Assert.Contains("ssm:/crypto-etl/key", wrong.Message, StringComparison.Ordinal);

        var garbage = Assert.Throws<PipelineException>(() => KeyPairJwt.ReadPrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", null, "env"));
        Assert.Equal(ErrorNames.Configuration, garbage.ErrorName);
        Assert.DoesNotContain("AAAA", garbage.Message, StringComparison.Ordinal);
    }
}
