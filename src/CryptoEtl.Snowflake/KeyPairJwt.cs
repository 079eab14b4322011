using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// Mints the RS256 JWT Snowflake's key-pair authentication expects and keeps it until shortly
/// before it expires, so a load signs once, not once per request or poll.
/// </summary>
public sealed class KeyPairJwt
{
    /// <summary>Snowflake accepts at most one hour.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(59);

    /// <summary>A token with less than this left is renewed, so it cannot expire mid-request.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly RSA _key;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _expires;

    public KeyPairJwt(string account, string user, RSA privateKey, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(time);
        _key = privateKey;
        _time = time;
        Subject = $"{SnowflakeAccount.ForJwt(account)}.{user.Trim().ToUpperInvariant()}";
        Issuer = $"{Subject}.{PublicKeyFingerprint(privateKey)}";
    }

    /// <summary>ACCOUNT.USER</summary>
    public string Subject { get; }

    /// <summary>ACCOUNT.USER.SHA256:fingerprint</summary>
    public string Issuer { get; }

    /// <summary>"SHA256:" + base64 SHA-256 of the DER SubjectPublicKeyInfo: what DESCRIBE USER shows as RSA_PUBLIC_KEY_FP.</summary>
    public static string PublicKeyFingerprint(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>A valid token: the cached one, or a fresh one when the cached one is close to expiry.</summary>
    public string Token()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_token is null || now >= _expires - RenewBefore)
            {
                var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
                _expires = issued + Lifetime;
                _token = Sign(issued, _expires);
            }

            return _token;
        }
    }

    private string Sign(DateTimeOffset issued, DateTimeOffset expires)
    {
        var header = """{"alg":"RS256","typ":"JWT"}"""u8;
        using var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", Issuer);
            writer.WriteString("sub", Subject);
            writer.WriteNumber("iat", issued.ToUnixTimeSeconds());
            writer.WriteNumber("exp", expires.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        var signingInput = Base64Url(header) + "." + Base64Url(payload.ToArray());
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>
    /// Reads a PEM private key: PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY",
    /// needs the passphrase) or PKCS#1 ("RSA PRIVATE KEY").
    /// </summary>
    public static RSA ReadPrivateKey(string pem, string? passphrase, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var rsa = RSA.Create();
        try
        {
            if (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
            {
                if (string.IsNullOrEmpty(passphrase))
                {
                    throw new PipelineException(ErrorNames.Configuration,
                        $"the Snowflake private key from {source} is encrypted; set {SettingNames.SnowflakePrivateKeyPassphrase}");
                }

                rsa.ImportFromEncryptedPem(pem, passphrase);
            }
            else
            {
                rsa.ImportFromPem(pem);
            }

            return rsa;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            // Never echo the PEM: the message names where it came from and what was wrong.
            throw new PipelineException(ErrorNames.Configuration,
                $"the Snowflake private key from {source} is not a readable RSA PEM key (PKCS#8, optionally encrypted): {ex.Message}", ex);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }
}
