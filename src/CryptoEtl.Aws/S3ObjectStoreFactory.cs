using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>
/// Builds S3 stores from s3://bucket[/prefix] and the S3 settings. Which kind of store a location
/// names (s3:// or a folder) is decided by the composition root, so only what uses S3 links this.
/// </summary>
public static partial class S3ObjectStoreFactory
{
    /// <summary>Attempts per S3 call are this plus one; throttling and 5xx are retried with backoff.</summary>
    public const int S3MaxErrorRetry = 4;

    /// <summary>The region signed for when an endpoint is given and the AWS chain names none (moto, MinIO).</summary>
    public const string EndpointDefaultRegion = "us-east-1";

    public const string Scheme = "s3://";

    /// <summary>True for an s3://... location.</summary>
    public static bool IsS3Location(string location) =>
        location is not null && location.Trim().StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The S3 store at <paramref name="location"/> with default S3 settings (SSE AES256).</summary>
    /// <param name="location">s3://bucket[/prefix].</param>
    /// <param name="s3Endpoint">An S3-compatible endpoint (implies path-style addressing); null for AWS.</param>
    public static S3ObjectStore Create(string location, Uri? s3Endpoint = null) =>
        Create(location, s3Endpoint, S3ObjectStoreOptions.Default);

    public static S3ObjectStore Create(string location, Uri? s3Endpoint, S3ObjectStoreOptions s3Options)
    {
        ArgumentNullException.ThrowIfNull(s3Options);
        if (!IsS3Location(location))
        {
            throw new PipelineException(ErrorNames.Configuration, $"object store \"{location}\" is not s3://bucket[/prefix]");
        }

        var (bucket, prefix) = ParseS3(location.Trim());
        return new S3ObjectStore(CreateS3Client(s3Endpoint), bucket, prefix, s3Options);
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
}
