namespace CryptoEtl.Core;

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

    /// <summary>
    /// Writes a small object only when no object has the key, atomically with that check (S3:
    /// PutObject with If-None-Match: *); false when the key exists. What <see cref="StepLease"/> stands on.
    /// </summary>
    Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Deletes the object; a missing key is no error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens an object for reading; a missing key is a <see cref="PipelineException"/> naming it.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The object's metadata, or null when there is no such key.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The object as a file on this machine when the store keeps it as one (a folder store), else
    /// null. Readers that take a path (DuckDB's CSV reader) then read it in place instead of a copy.
    /// </summary>
    string? LocalPathOf(string key) => null;

    /// <summary>
    /// True when the objects live in a bucket that cloud services can be pointed at (Snowflake's
    /// external stage reads the CSV from there); a folder on this machine is out of their reach.
    /// </summary>
    bool CloudServicesCanRead => false;
}
