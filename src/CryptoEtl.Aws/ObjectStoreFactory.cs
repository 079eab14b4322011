using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>
/// Turns the one store setting (CLI --store, Lambda CRYPTOETL_STORE) into a store:
/// s3://bucket[/prefix] is S3, file:///path or a plain folder path is the local folder store.
/// </summary>
public static partial class ObjectStoreFactory
{
    /// <summary>Attempts per S3 call are this plus one; throttling and 5xx are retried with backoff.</summary>
    public const int S3MaxErrorRetry = 4;

    /// <summary>The region signed for when an endpoint is given and the AWS chain names none (moto, MinIO).</summary>
    public const string EndpointDefaultRegion = "us-east-1";

    /// <summary>The store at <paramref name="location"/> with default S3 settings (SSE AES256).</summary>
    /// <param name="location">s3://bucket[/prefix], file:///path or a folder path.</param>
    /// <param name="s3Endpoint">An S3-compatible endpoint (implies path-style addressing); null for AWS.</param>
    public static IObjectStore Create(string location, Uri? s3Endpoint = null) =>
        Create(location, s3Endpoint, S3ObjectStoreOptions.Default);

    public static IObjectStore Create(string location, Uri? s3Endpoint, S3ObjectStoreOptions s3Options)
    {
        ArgumentNullException.ThrowIfNull(s3Options);
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new PipelineException(ErrorNames.Configuration, $"no object store given (set --store or {SettingNames.Store})");
        }

        location = location.Trim();
        if (location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var (bucket, prefix) = ParseS3(location);
            return new S3ObjectStore(CreateS3Client(s3Endpoint), bucket, prefix, s3Options);
        }

        if (location.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || !uri.IsFile || !string.IsNullOrEmpty(uri.Host))
            {
                throw new PipelineException(ErrorNames.Configuration, $"object store \"{location}\" is not a local file:///path URI");
            }

            return new FileSystemObjectStore(uri.LocalPath);
        }

        if (UriScheme().IsMatch(location))
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"object store \"{location}\" is not s3://bucket[/prefix], file:///path or a folder path");
        }

        return new FileSystemObjectStore(location);
    }

    /// <summary>
    /// The store the environment names: CRYPTOETL_STORE (required), CRYPTOETL_S3_ENDPOINT,
    /// CRYPTOETL_S3_SSE and CRYPTOETL_S3_KMS_KEY_ID. What a Lambda function calls at start.
    /// </summary>
    public static IObjectStore FromEnvironment(Func<string, string?> getEnv)
    {
        ArgumentNullException.ThrowIfNull(getEnv);
        var location = getEnv(SettingNames.Store);
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.Store} is not set");
        }

        return Create(location, ParseEndpoint(getEnv(SettingNames.S3Endpoint)), S3ObjectStoreOptions.FromEnvironment(getEnv));
    }

    /// <summary>An absolute http(s) endpoint URL, or null for an unset value.</summary>
    public static Uri? ParseEndpoint(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new PipelineException(ErrorNames.Configuration, $"S3 endpoint \"{value}\" is not an http(s) URL");
    }

    /// <summary>
    /// An S3 client with credentials and region from the standard AWS chain (environment, profile,
    /// container/instance role), standard retry mode, and for an endpoint: that URL, path style.
    /// </summary>
    public static AmazonS3Client CreateS3Client(Uri? endpoint = null)
    {
        try
        {
            return new AmazonS3Client(CreateS3Config(endpoint));
        }
        catch (AmazonClientException ex)
        {
            // Outside Lambda the usual cause: no region anywhere in the chain.
            throw new PipelineException(ErrorNames.Configuration,
                $"cannot create an S3 client: {ex.Message} (set AWS_REGION, or an S3 endpoint for an S3-compatible server)", ex);
        }
    }

    public static AmazonS3Config CreateS3Config(Uri? endpoint = null)
    {
        var config = new AmazonS3Config
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = S3MaxErrorRetry,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            // S3-compatible servers serve buckets as paths, not as bucket.host names.
            config.ForcePathStyle = true;
            if (FallbackRegionFactory.GetRegionEndpoint() is null)
            {
                config.AuthenticationRegion = EndpointDefaultRegion;
            }
        }

        return config;
    }

    internal static (string Bucket, string Prefix) ParseS3(string location)
    {
        var path = location["s3://".Length..];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? path : path[..slash];
        var prefix = slash < 0 ? "" : path[(slash + 1)..].Trim('/');
        if (!BucketName().IsMatch(bucket))
        {
            throw new PipelineException(ErrorNames.Configuration, $"object store \"{location}\" has no valid bucket name (3-63 of a-z 0-9 . -)");
        }

        try
        {
            if (prefix.Length > 0)
            {
                ObjectKeys.Validate(prefix);
            }
        }
        catch (PipelineException ex)
        {
            throw new PipelineException(ErrorNames.Configuration, $"object store \"{location}\" has an invalid key prefix \"{prefix}\"", ex);
        }

        return (bucket, prefix);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    // Two letters at least, so a Windows drive ("C:\data") stays a path.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex UriScheme();
}
