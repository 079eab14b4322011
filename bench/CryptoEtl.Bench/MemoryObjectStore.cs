using System.Runtime.CompilerServices;
using CryptoEtl.Core;

namespace CryptoEtl.Bench;

/// <summary>
/// Objects in memory; written objects are counted, not kept, so a benchmark measures the step's
/// own work rather than a store's copies or disk flushes.
/// </summary>
public sealed class MemoryObjectStore : IObjectStore
{
    private readonly Dictionary<string, byte[]> _objects = new(StringComparer.Ordinal);

    public string Location => "memory://bench/";

    public Dictionary<string, long> WrittenSizes { get; } = new(StringComparer.Ordinal);

    public void Add(string key, byte[] content) => _objects[key] = content;

    public async Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await using var sink = new CountingStream();
        await write(sink, cancellationToken);
        WrittenSizes[key] = sink.Length;
    }

    public Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Task.FromResult(_objects.TryAdd(key, content.ToArray()));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        _objects.Remove(key);
        return Task.CompletedTask;
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        _objects.TryGetValue(key, out var content)
            ? Task.FromResult<Stream>(new MemoryStream(content, writable: false))
            : throw new PipelineException(ErrorNames.ObjectNotFound, $"no object {key} in {Location}");

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_objects.TryGetValue(key, out var content) ? new ObjectInfo(key, content.Length, DateTimeOffset.UnixEpoch, null) : null);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (key, content) in _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            yield return new ObjectInfo(key, content.Length, DateTimeOffset.UnixEpoch, null);
            await Task.CompletedTask;
        }
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
