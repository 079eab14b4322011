namespace CryptoEtl.Core;

public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string? ContentType);

/// <summary>
/// Where the steps keep their objects (S3, a local folder). Keys use '/' on every platform.
/// A put is atomic: readers see the whole new object or the old one, never half of one.
/// </summary>
public interface IObjectStore
{
    /// <summary>A human-readable location, e.g. s3://bucket/prefix or file:///data/objects.</summary>
    string Location { get; }

    /// <summary>Writes an object by letting <paramref name="write"/> stream into it; atomic.</summary>
    Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>Opens an object for reading; a missing key is a <see cref="PipelineException"/> naming it.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The object's metadata, or null when there is no such key.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);
}

public static class ObjectStoreExtensions
{
    public static Task PutBytesAsync(this IObjectStore store, string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.PutAsync(key, contentType, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), cancellationToken);
    }

    public static async Task<byte[]> ReadAllBytesAsync(this IObjectStore store, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}

/// <summary>What Load hands a warehouse: one snapshot's CSV, already checked against the schema.</summary>
public sealed record SnapshotCsv(string CsvKey, DateTimeOffset FetchTime, int ExpectedRows);

/// <summary>
/// The warehouse (DuckDB locally, Snowflake in AWS). Loading a snapshot replaces the rows of its
/// fetch_time in one transaction, so a re-run never duplicates rows and a failure leaves none.
/// </summary>
public interface IWarehouse
{
    /// <summary>The fully qualified table the rows land in.</summary>
    string Table { get; }

    /// <summary>Loads the snapshot and returns the number of rows loaded.</summary>
    Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken);
}
