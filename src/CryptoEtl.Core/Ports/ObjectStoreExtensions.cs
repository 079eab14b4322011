namespace CryptoEtl.Core;

/// <summary>Whole-object reads and writes over any store.</summary>
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
