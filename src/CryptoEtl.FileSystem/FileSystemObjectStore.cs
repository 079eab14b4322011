using System.Runtime.CompilerServices;

using CryptoEtl.Core;

namespace CryptoEtl.FileSystem;

/// <summary>
/// A local folder laid out like the bucket: key "raw/2026/11/25/x.json" is file
/// ROOT/raw/2026/11/25/x.json. Writes go to a hidden temp file in the same folder and are renamed
/// into place, so a crash never leaves half an object under a real key.
/// </summary>
public sealed class FileSystemObjectStore : IObjectStore
{
    private const string TempSuffix = ".partial";
    private readonly string _root;

    public FileSystemObjectStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    public string Location => new Uri(_root.EndsWith(Path.DirectorySeparatorChar) ? _root : _root + Path.DirectorySeparatorChar).AbsoluteUri;

    public async Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            // Inside the try: a read-only folder, or a file where a folder should be, is this store's error too.
            Directory.CreateDirectory(directory);
            StaleTempFiles.Remove(directory, $".*{TempSuffix}", IsTempName, DateTimeOffset.UtcNow);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await using var stream = new InlineFileStream(file);
                await write(stream, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new PipelineException(ErrorNames.StorageUnavailable, $"could not write {key} under {_root}: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public async Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(temp, content.ToArray(), cancellationToken);
            // A move that refuses to replace: the check and the write are one step, as If-None-Match is.
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            TryDelete(temp);
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new PipelineException(ErrorNames.StorageUnavailable, $"could not write {key} under {_root}: {ex.Message}", ex);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathOf(key));
            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PipelineException(ErrorNames.StorageUnavailable, $"could not delete {key} under {_root}: {ex.Message}", ex);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            Stream stream = new InlineFileStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException || Directory.Exists(path))
        {
            // A key that names a folder ("raw/2026") is not an object either.
            throw new PipelineException(ErrorNames.ObjectNotFound, $"no object {key} in {Location}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new PipelineException(ErrorNames.Configuration, $"cannot read {key} in {Location}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new PipelineException(ErrorNames.StorageUnavailable, $"cannot read {key} in {Location}: {ex.Message}", ex);
        }
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? InfoOf(key, file) : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!Directory.Exists(_root))
        {
            yield break;
        }

        // Walk only the folder the prefix names, then filter on the whole key.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && !IsTemp(key))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = InfoOf(key, new FileInfo(PathOf(key)));
            yield return info;
            await Task.CompletedTask;
        }
    }

    private static ObjectInfo InfoOf(string key, FileInfo file) =>
        new(key, file.Length, file.LastWriteTimeUtc, ContentTypes.FromKey(key));

    /// <summary>".{file name}.{guid:N}.partial", as PutAsync names its temp files.</summary>
    private static bool IsTempName(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(TempSuffix, StringComparison.Ordinal)
        && fileName.Length > 2 + 32 + TempSuffix.Length
        && Guid.TryParseExact(fileName.AsSpan(fileName.Length - TempSuffix.Length - 32, 32), "N", out _);

    private static bool IsTemp(string key) =>
        key.EndsWith(TempSuffix, StringComparison.Ordinal) && key[(key.LastIndexOf('/') + 1)..].StartsWith('.');

    /// <summary>Every object here is a local file: readers that take a path (DuckDB's CSV reader) read it in place.</summary>
    public string? LocalPathOf(string key) => PathOf(key);

    /// <summary>The file behind a key.</summary>
    public string PathOf(string key) =>
        Path.Combine(_root, ObjectKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A temp file we cannot delete is hidden and never listed; leave it.
        }
    }
}
