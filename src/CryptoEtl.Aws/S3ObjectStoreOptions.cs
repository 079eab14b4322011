using Amazon.S3;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>How <see cref="S3ObjectStore"/> writes objects. The defaults suit AWS S3.</summary>
public sealed record S3ObjectStoreOptions
{
    /// <summary>S3's minimum part size (every part but the last).</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>
    /// AES256 (SSE-S3, the default), aws:kms (SSE-KMS; see <see cref="KmsKeyId"/>), or
    /// <see cref="ServerSideEncryptionMethod.None"/> to send no encryption header (S3-compatible
    /// servers without SSE support; the bucket's default encryption still applies on AWS).
    /// </summary>
    public ServerSideEncryptionMethod ServerSideEncryption { get; init; } = ServerSideEncryptionMethod.AES256;

    /// <summary>The KMS key (id, ARN or alias) for aws:kms; null uses the account's aws/s3 key.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>
    /// The in-memory buffer a put fills: objects up to this size are one PutObject, larger ones a
    /// multipart upload of parts this big. Memory per put is one buffer, whatever the object size.
    /// </summary>
    public int PartSize { get; init; } = DefaultPartSize;

    public static S3ObjectStoreOptions Default { get; } = new();

    /// <summary>
    /// Reads CRYPTOETL_S3_SSE (AES256 | aws:kms | none; default AES256) and CRYPTOETL_S3_KMS_KEY_ID.
    /// </summary>
    public static S3ObjectStoreOptions FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var sse = setting(SettingNames.S3ServerSideEncryption);
        var kmsKeyId = setting(SettingNames.S3KmsKeyId);
        var method = string.IsNullOrWhiteSpace(sse) ? ServerSideEncryptionMethod.AES256 : ParseEncryption(sse);
        if (!string.IsNullOrWhiteSpace(kmsKeyId) && method != ServerSideEncryptionMethod.AWSKMS)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"{SettingNames.S3KmsKeyId} is set but {SettingNames.S3ServerSideEncryption} is \"{method.Value}\", not aws:kms");
        }

        return new S3ObjectStoreOptions
        {
            ServerSideEncryption = method,
            KmsKeyId = string.IsNullOrWhiteSpace(kmsKeyId) ? null : kmsKeyId,
        };
    }

    internal void Validate()
    {
        if (PartSize < MinPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, $"S3 parts must be at least {MinPartSize} bytes");
        }

        if (KmsKeyId is not null && ServerSideEncryption != ServerSideEncryptionMethod.AWSKMS)
        {
            throw new ArgumentException("KmsKeyId needs ServerSideEncryption aws:kms", nameof(KmsKeyId));
        }
    }

    private static ServerSideEncryptionMethod ParseEncryption(string value) => value.Trim() switch
    {
        var v when v.Equals("AES256", StringComparison.OrdinalIgnoreCase) => ServerSideEncryptionMethod.AES256,
        var v when v.Equals("aws:kms", StringComparison.OrdinalIgnoreCase) => ServerSideEncryptionMethod.AWSKMS,
        var v when v.Equals("none", StringComparison.OrdinalIgnoreCase) => ServerSideEncryptionMethod.None,
        _ => throw new PipelineException(ErrorNames.Configuration,
            $"{SettingNames.S3ServerSideEncryption} must be AES256, aws:kms or none, got \"{value}\""),
    };
}
