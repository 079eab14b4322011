using Amazon.S3.Model;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>
/// The body of a GetObject, read straight from the connection (never buffered whole). A connection
/// that drops mid-object becomes StorageUnavailable naming the object, so the state machine
/// retries the step instead of failing on a bare IOException.
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private readonly GetObjectResponse _response;
    private readonly Stream _body;
    private readonly string _uri;

    public S3ReadStream(GetObjectResponse response, string uri)
    {
        _response = response;
        _body = response.ResponseStream;
        _uri = uri;
        Length = response.ContentLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The object's size from Content-Length.</summary>
    public override long Length { get; }

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _body.Read(buffer);
        }
        catch (IOException ex)
        {
            throw Interrupted(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _body.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Interrupted(ex);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    private PipelineException Interrupted(IOException ex) =>
        new(ErrorNames.StorageUnavailable, $"reading {_uri} was interrupted: {ex.Message}", ex);
}
