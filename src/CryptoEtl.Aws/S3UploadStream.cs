using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;

namespace CryptoEtl.Aws;

/// <summary>
/// The write-only stream a put's writer fills. Bytes collect in one pooled part-sized buffer; when
/// it is full and more bytes come, it goes up as the next part of a multipart upload. At the end the
/// rest is either the whole object (one PutObject with a known length) or the last part.
/// </summary>
internal sealed class S3UploadStream : Stream
{
    private readonly S3ObjectStore _store;
    private readonly string _s3Key;
    private readonly string _contentType;
    private readonly CancellationToken _cancellationToken;
    private readonly List<UploadPartResponse> _parts = [];
    private byte[]? _buffer;
    private int _count;
    private long _length;
    private string? _uploadId;
    private bool _finished;

    public S3UploadStream(S3ObjectStore store, string s3Key, string contentType, CancellationToken cancellationToken)
    {
        _store = store;
        _s3Key = s3Key;
        _contentType = contentType;
        _cancellationToken = cancellationToken;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    private S3ObjectStoreOptions Options => _store.Options;

    private IAmazonS3 S3 => _store.Client;

    /// <summary>Null sends no x-amz-server-side-encryption header at all.</summary>
    private ServerSideEncryptionMethod? Encryption =>
        Options.ServerSideEncryption == ServerSideEncryptionMethod.None ? null : Options.ServerSideEncryption;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (BufferIsFull())
            {
                // Writers that only write synchronously (a StreamWriter's own flush) still upload
                // a full part; nothing here runs on a synchronization context.
                UploadPartAsync(isLastPart: false, _cancellationToken).GetAwaiter().GetResult();
            }

            buffer = buffer[Append(buffer)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (BufferIsFull())
            {
                await UploadPartAsync(isLastPart: false, cancellationToken);
            }

            buffer = buffer[Append(buffer.Span)..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
        // Bytes go up a whole part at a time; the object exists only once the put completes.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Makes the object visible: one PutObject, or the last part and CompleteMultipartUpload.</summary>
    public async Task CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        try
        {
            if (_uploadId is null)
            {
                using var body = BufferedBody();
                await S3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _store.Bucket,
                    Key = _s3Key,
                    ContentType = _contentType,
                    InputStream = body,
                    AutoCloseStream = false,
                    ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                    ServerSideEncryptionMethod = Encryption,
                    ServerSideEncryptionKeyManagementServiceKeyId = Options.KmsKeyId,
                }, _cancellationToken);
                return;
            }

            await UploadPartAsync(isLastPart: true, _cancellationToken);
            var complete = new CompleteMultipartUploadRequest { BucketName = _store.Bucket, Key = _s3Key, UploadId = _uploadId };
            complete.AddPartETagsAndChecksums(_parts);
            await S3.CompleteMultipartUploadAsync(complete, _cancellationToken);
            _uploadId = null;
        }
        catch (Exception ex) when (S3ObjectStore.IsS3Failure(ex, _cancellationToken))
        {
            throw _store.Translate(ex, "write", _s3Key);
        }
    }

    /// <summary>Aborts a started multipart upload so no parts linger; the old object, if any, stays.</summary>
    public async Task AbortAsync()
    {
        _finished = true;
        if (_uploadId is not { } uploadId)
        {
            return;
        }

        _uploadId = null;
        try
        {
            // Not the caller's token: a cancelled put must still clean up after itself.
            await S3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _store.Bucket, Key = _s3Key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (Exception ex) when (S3ObjectStore.IsS3Failure(ex, CancellationToken.None))
        {
            // The put already failed with the error that matters. An upload we could not abort is
            // invisible to readers and removed by the bucket's AbortIncompleteMultipartUpload rule.
        }
    }

    /// <summary>
    /// Returns the buffer to the pool; called by the store once the put has ended either way, not on
    /// Dispose: a writer may dispose the stream it was handed (a StreamWriter without leaveOpen)
    /// and the put must still complete.
    /// </summary>
    public void ReleaseBuffer()
    {
        _finished = true;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool BufferIsFull() => _buffer is not null && _count == Options.PartSize;

    private int Append(ReadOnlySpan<byte> source)
    {
        if (_finished)
        {
            throw new ObjectDisposedException(nameof(S3UploadStream), "the put has already ended");
        }

        _buffer ??= ArrayPool<byte>.Shared.Rent(Options.PartSize);
        var n = Math.Min(source.Length, Options.PartSize - _count);
        source[..n].CopyTo(_buffer.AsSpan(_count));
        _count += n;
        _length += n;
        return n;
    }

    private MemoryStream BufferedBody() =>
        new(_buffer ?? [], 0, _count, writable: false, publiclyVisible: true);

    private async Task UploadPartAsync(bool isLastPart, CancellationToken cancellationToken)
    {
        try
        {
            _uploadId ??= (await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _store.Bucket,
                Key = _s3Key,
                ContentType = _contentType,
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                ServerSideEncryptionMethod = Encryption,
                ServerSideEncryptionKeyManagementServiceKeyId = Options.KmsKeyId,
            }, cancellationToken)).UploadId;

            using var body = BufferedBody();
            var part = await S3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _store.Bucket,
                Key = _s3Key,
                UploadId = _uploadId,
                PartNumber = _parts.Count + 1,
                PartSize = _count,
                InputStream = body,
                IsLastPart = isLastPart,
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            }, cancellationToken);
            _parts.Add(part);
            _count = 0;
        }
        catch (Exception ex) when (S3ObjectStore.IsS3Failure(ex, cancellationToken))
        {
            throw _store.Translate(ex, "write", _s3Key);
        }
    }
}
