using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>
/// Objects in an S3 bucket (or an S3-compatible server), under an optional key prefix: store key
/// "raw/x.json" with prefix "etl" is s3://bucket/etl/raw/x.json. Puts stream through one part-sized
/// buffer: a single PutObject when the object fits, else a multipart upload that is completed
/// (atomically visible) or aborted, so a failed put never shows a partial object.
/// </summary>
public sealed class S3ObjectStore : IObjectStore
{
    private readonly IAmazonS3 _s3;
    private readonly string _prefix;

    /// <param name="s3">A client; see <see cref="S3ObjectStoreFactory.CreateS3Client"/> for the retry settings.</param>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="prefix">A key prefix such as "etl" or "etl/2026" (no leading or trailing '/' needed).</param>
    /// <param name="options">Encryption and part size; null for the defaults (AES256, 8 MiB).</param>
    public S3ObjectStore(IAmazonS3 s3, string bucket, string prefix = "", S3ObjectStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        Options = options ?? S3ObjectStoreOptions.Default;
        Options.Validate();
        _s3 = s3;
        Bucket = bucket;
        var trimmed = prefix.Trim('/');
        _prefix = trimmed.Length == 0 ? "" : ObjectKeys.Validate(trimmed) + "/";
    }

    public string Bucket { get; }

    /// <summary>The key prefix with its trailing '/', or "".</summary>
    public string Prefix => _prefix;

    public S3ObjectStoreOptions Options { get; }

    public string Location => _prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{_prefix.TrimEnd('/')}";

    /// <summary>A bucket: Snowflake's external stage (or any cloud service) can be pointed at it.</summary>
    public bool CloudServicesCanRead => true;

    internal IAmazonS3 Client => _s3;

    /// <summary>The bucket key of a store key (the prefix prepended).</summary>
    public string S3KeyOf(string key) => _prefix + ObjectKeys.Validate(key);

    public async Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        var upload = new S3UploadStream(this, S3KeyOf(key), contentType, cancellationToken);
        try
        {
            await write(upload, cancellationToken);
            await upload.CompleteAsync();
        }
        catch
        {
            await upload.AbortAsync();
            throw;
        }
        finally
        {
            upload.ReleaseBuffer();
        }
    }

    public async Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var s3Key = S3KeyOf(key);
        try
        {
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = Bucket,
                Key = s3Key,
                ContentType = contentType,
                InputStream = new MemoryStream(content.ToArray()),
                // S3's conditional write: 412 when the key exists, 409 when a concurrent conditional
                // write to it is in flight (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
                IfNoneMatch = "*",
                ServerSideEncryptionMethod = Options.ServerSideEncryption == ServerSideEncryptionMethod.None ? null : Options.ServerSideEncryption,
                ServerSideEncryptionKeyManagementServiceKeyId = Options.KmsKeyId,
            }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
        catch (Exception ex) when (IsS3Failure(ex, cancellationToken))
        {
            throw Translate(ex, "create", s3Key);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3KeyOf(key);
        try
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = s3Key }, cancellationToken);
        }
        catch (Exception ex) when (IsS3Failure(ex, cancellationToken))
        {
            throw Translate(ex, "delete", s3Key);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3KeyOf(key);
        try
        {
            var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = s3Key }, cancellationToken);
            return new S3ReadStream(response, UriOf(s3Key));
        }
        catch (Exception ex) when (IsS3Failure(ex, cancellationToken))
        {
            throw Translate(ex, ReadAction, s3Key);
        }
    }

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3KeyOf(key);
        try
        {
            var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = s3Key }, cancellationToken);
            return new ObjectInfo(key, head.ContentLength, ToOffset(head.LastModified), head.Headers.ContentType);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            // HEAD has no body, so a missing bucket and a missing key both arrive as a bare 404;
            // a missing bucket surfaces on the next put or list with its own error.
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            // Without s3:ListBucket S3 answers a HEAD of a missing key 403, but so it does for a key
            // the caller may not read: "absent" would let a caller replace what it never saw.
            throw new PipelineException(ErrorNames.Configuration,
                $"not permitted to read {UriOf(s3Key)}, or it is missing and the caller may not list the bucket: S3 answered 403 to a HEAD {ex.ErrorCode} {ex.Message}".TrimEnd(), ex);
        }
        catch (Exception ex) when (IsS3Failure(ex, cancellationToken))
        {
            throw Translate(ex, "head", s3Key);
        }
    }

    /// <summary>Lists with ListObjectsV2, following continuation tokens past S3's 1,000 keys a page.</summary>
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _prefix + prefix };
        do
        {
            ListObjectsV2Response page;
            try
            {
                page = await _s3.ListObjectsV2Async(request, cancellationToken);
            }
            catch (Exception ex) when (IsS3Failure(ex, cancellationToken))
            {
                throw Translate(ex, "list", request.Prefix);
            }

            foreach (var entry in page.S3Objects ?? [])
            {
                // A listing carries no content type; HeadAsync has it.
                yield return new ObjectInfo(entry.Key[_prefix.Length..], entry.Size ?? 0, ToOffset(entry.LastModified), null);
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    private const string ReadAction = "read";

    internal string UriOf(string s3Key) => $"s3://{Bucket}/{s3Key}";

    internal static bool IsS3Failure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        PipelineException => false,
        // The caller's own cancellation is not a storage failure; an SDK timeout is.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Maps an S3 or transport failure to the pipeline's error names, naming the object.</summary>
    internal PipelineException Translate(Exception ex, string action, string s3Key)
    {
        var uri = UriOf(s3Key);
        return ex switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
                new PipelineException(ErrorNames.Configuration, $"bucket {Bucket} does not exist ({action} {uri})", ex),
            AmazonServiceException { StatusCode: HttpStatusCode.NotFound } =>
                new PipelineException(ErrorNames.ObjectNotFound, $"no object {uri}", ex),
            // S3 answers a GET of a missing key 403 AccessDenied, not 404, when the caller may not
            // list the bucket (API_GetObject, "Permissions"), and an s3:prefix condition on
            // ListBucket never matches a GET. Not found and not permitted cannot be told apart, so
            // both are ObjectNotFound, and the message says so.
            AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } service when action == ReadAction =>
                new PipelineException(ErrorNames.ObjectNotFound,
                    $"no object {uri}, or not permitted to read it: S3 answered 403 {service.ErrorCode} (its answer to a missing key when the caller may not list the bucket) {service.Message}", ex),
            AmazonServiceException service when IsTransient(service) =>
                new PipelineException(ErrorNames.StorageUnavailable, $"S3 unavailable ({action} {uri}): {(int)service.StatusCode} {service.ErrorCode} {service.Message}", ex),
            // Access denied, a KMS key S3 cannot use, a bad request: the deployment must change.
            AmazonServiceException service =>
                new PipelineException(ErrorNames.Configuration, $"S3 refused to {action} {uri}: {(int)service.StatusCode} {service.ErrorCode} {service.Message}", ex),
            AmazonClientException when !HasTransportCause(ex) =>
                new PipelineException(ErrorNames.Configuration, $"cannot {action} {uri}: {ex.Message}", ex),
            _ => new PipelineException(ErrorNames.StorageUnavailable, $"S3 unreachable ({action} {uri}): {ex.Message}", ex),
        };
    }

    private static bool IsTransient(AmazonServiceException ex) =>
        (int)ex.StatusCode >= 500 || ex.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        || ex.ErrorCode is "SlowDown" or "Throttling" or "ThrottlingException" or "RequestTimeout" or "RequestTimeTooSkewed"
        || HasTransportCause(ex);

    private static bool HasTransportCause(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
}
