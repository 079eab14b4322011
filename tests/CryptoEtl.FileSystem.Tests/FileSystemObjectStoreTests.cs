using System.Runtime.CompilerServices;
using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;

namespace CryptoEtl.FileSystem.Tests;

public sealed class FileSystemObjectStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileSystemObjectStore _store;

    public FileSystemObjectStoreTests()
    {
        _store = new FileSystemObjectStore(_dir.Combine("objects"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Put_then_read_round_trips_under_the_key_layout()
    {
        await _store.PutBytesAsync("raw/2026/11/25/a.json", ContentTypes.Json, "[1]"u8.ToArray(), default);

        Assert.True(File.Exists(_dir.Combine("objects", "raw", "2026", "11", "25", "a.json")));
        Assert.Equal("[1]"u8.ToArray(), await _store.ReadAllBytesAsync("raw/2026/11/25/a.json", default));
        var head = await _store.HeadAsync("raw/2026/11/25/a.json", default);
        Assert.Equal(3, head!.Size);
        Assert.Equal(ContentTypes.Json, head.ContentType);
        Assert.Null(await _store.HeadAsync("raw/2026/11/25/b.json", default));
    }

    [Fact]
    public async Task Reads_and_writes_complete_inline_and_still_honour_cancellation()
    {
        // No hand-off to the thread pool per call (issue 18): the task is done when the call returns.
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        await _store.PutAsync("raw/2026/11/25/b.json", ContentTypes.Json, (stream, ct) =>
        {
            var write = stream.WriteAsync(bytes, ct);
            Assert.True(write.IsCompletedSuccessfully);
            return write.AsTask();
        }, default);

        await using var read = await _store.OpenReadAsync("raw/2026/11/25/b.json", default);
        var buffer = new byte[bytes.Length];
        var first = read.ReadAsync(buffer.AsMemory(0, 1000));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.Equal(1000, await first);
        await read.ReadExactlyAsync(buffer.AsMemory(1000));
        Assert.Equal(bytes, buffer);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read.ReadAtLeastAsync(buffer, 1, cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task A_write_that_fails_mid_object_leaves_the_old_object_and_no_partial_file()
    {
        const string key = "processed/x.csv";
        await _store.PutBytesAsync(key, ContentTypes.Csv, "old"u8.ToArray(), default);

        var error = await Assert.ThrowsAsync<PipelineException>(() => _store.PutAsync(key, ContentTypes.Csv, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[100_000], ct);
            throw new IOException("disk full");
        }, default));

        Assert.Equal(ErrorNames.StorageUnavailable, error.ErrorName);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        Assert.Equal("old"u8.ToArray(), await _store.ReadAllBytesAsync(key, default));
        Assert.Equal([key], await KeysAsync(""));
        Assert.Single(Directory.GetFiles(_dir.Combine("objects", "processed")));
    }

    [Fact]
    public async Task A_missing_key_names_the_key_and_the_store()
    {
        var error = await Assert.ThrowsAsync<PipelineException>(() => _store.OpenReadAsync("raw/none.json", default));

        Assert.Equal(ErrorNames.ObjectNotFound, error.ErrorName);
        Assert.Equal($"no object raw/none.json in {_store.Location}", error.Message);
    }

    [Fact]
    public async Task A_key_that_names_a_folder_is_not_an_object()
    {
        await _store.PutBytesAsync("raw/2026/11/25/a.json", ContentTypes.Json, "[]"u8.ToArray(), default);

        var error = await Assert.ThrowsAsync<PipelineException>(() => _store.OpenReadAsync("raw/2026", default));

        Assert.Equal(ErrorNames.ObjectNotFound, error.ErrorName);
        Assert.Equal($"no object raw/2026 in {_store.Location}", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    public async Task Keys_that_could_escape_the_folder_are_refused(string key)
    {
        var error = await Assert.ThrowsAsync<PipelineException>(() => _store.HeadAsync(key, default));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
    }

    [Fact]
    public async Task Listing_is_by_prefix_in_key_order()
    {
        foreach (var key in new[] { "raw/b.json", "raw/a.json", "processed/c.csv", "rawx/d.json" })
        {
            await _store.PutBytesAsync(key, ContentTypes.Json, "{}"u8.ToArray(), default);
        }

        Assert.Equal(["raw/a.json", "raw/b.json"], await KeysAsync("raw/"));
        Assert.Equal(["raw/a.json", "raw/b.json", "rawx/d.json"], await KeysAsync("raw"));
    }

    /// <summary>
    /// The fault-matrix row: a store write that fails mid-object makes the step fail, leaves no
    /// partial object, and the same step re-run afterwards gives the same output.
    /// </summary>
    [Fact]
    public async Task Transform_fails_cleanly_when_the_csv_write_breaks_and_a_rerun_succeeds()
    {
        var fetchTime = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var client = RecordedCoinGeckoHandler.CreateClient(
            [await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Markets250))],
            await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Global)),
            TimeProvider.System);
        var extracted = await new ExtractStep(client, _store, TimeProvider.System)
            .RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = fetchTime }, null, default);
        var breaking = new BreakingStore(_store, breakKeySuffix: ".csv");

        var error = await Assert.ThrowsAsync<PipelineException>(() => new TransformStep(breaking).RunAsync(new TransformInput { RawKey = extracted.RawKey }, default));

        Assert.Equal(ErrorNames.StorageUnavailable, error.ErrorName);
        Assert.Empty(await StoredCsv.KeysAsync(_store, fetchTime));
        var output = await new TransformStep(_store).RunAsync(new TransformInput { RawKey = extracted.RawKey }, default);
        Assert.Equal(await StoredCsv.SingleKeyAsync(_store, fetchTime), output.CsvKey);
        Assert.Equal(250, output.Rows);
        Assert.StartsWith(CryptoSchema.CsvHeader, Encoding.UTF8.GetString(await _store.ReadAllBytesAsync(output.CsvKey, default)), StringComparison.Ordinal);
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in _store.ListAsync(prefix, default))
        {
            keys.Add(info.Key);
        }

        return keys;
    }

    /// <summary>A store whose writes to matching keys die after the first 64 KB, like a full disk.</summary>
    private sealed class BreakingStore(IObjectStore inner, string breakKeySuffix) : IObjectStore
    {
        public string Location => inner.Location;

        public Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) =>
            key.EndsWith(breakKeySuffix, StringComparison.Ordinal)
                ? inner.PutAsync(key, contentType, (stream, ct) => write(new FailingStream(stream), ct), cancellationToken)
                : inner.PutAsync(key, contentType, write, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            inner.TryCreateAsync(key, contentType, content, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }

    private sealed class FailingStream(Stream inner) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            inner.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Check(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Check(int count, [CallerMemberName] string? caller = null)
        {
            _written += count;
            if (_written > 64 * 1024)
            {
                throw new IOException($"No space left on device ({caller})");
            }
        }
    }
}
