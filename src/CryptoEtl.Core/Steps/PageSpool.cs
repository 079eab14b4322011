namespace CryptoEtl.Core.Steps;

/// <summary>
/// Holds the pages of one extract on disk, not in memory, until the raw object is written: the
/// object's metadata (pages fetched, complete, the URLs) comes before the pages, so they cannot go
/// to the store as they arrive; a temporary file deleted on close keeps a sweep's memory at one
/// page. The total is capped so a server that never ends a sweep cannot fill the disk.
/// </summary>
internal sealed class PageSpool : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly long _maxBytes;
    private readonly List<(long Offset, int Length)> _pages = [];

    public PageSpool(long maxBytes)
    {
        _maxBytes = maxBytes;
        _file = new FileStream(
            Path.Combine(Path.GetTempPath(), $"cryptoetl-extract-{Guid.NewGuid():N}.pages"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    public int Count => _pages.Count;

    /// <summary>Appends a page; a SnapshotTooLarge-style CoinGeckoBadResponse when the sweep passes the cap.</summary>
    public async Task AddAsync(ReadOnlyMemory<byte> page, Uri url, CancellationToken cancellationToken)
    {
        if (_file.Length + page.Length > _maxBytes)
        {
            throw new PipelineException(ErrorNames.CoinGeckoBadResponse,
                $"the sweep passed {_maxBytes / (1024 * 1024)} MB of pages at {url} (the limit for one snapshot; a full market is ~17 MB); nothing stored");
        }

        _file.Seek(0, SeekOrigin.End);
        _pages.Add((_file.Position, page.Length));
        await _file.WriteAsync(page, cancellationToken);
    }

    /// <summary>Reads the pages back in order, one buffer at a time.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _file.FlushAsync(cancellationToken);
        var buffer = Array.Empty<byte>();
        foreach (var (offset, length) in _pages)
        {
            if (buffer.Length < length)
            {
                buffer = new byte[length];
            }

            _file.Seek(offset, SeekOrigin.Begin);
            await _file.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            yield return buffer.AsMemory(0, length);
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
