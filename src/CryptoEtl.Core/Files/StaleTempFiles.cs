namespace CryptoEtl.Core;

/// <summary>
/// Removes temporary files of our own naming that a killed process (kill -9, OOM, a pulled plug)
/// left behind. Writers hold their temp file open with FileShare.None, which .NET turns into an
/// exclusive lock (flock on Unix), and the kernel drops that lock when the writer dies. A file is
/// stale when it is older than <see cref="MinimumAge"/> and its lock can be taken: a live writer,
/// in this process or another, still holds it. The age covers the instant between a writer
/// creating its file and locking it, and platforms where locking is switched off
/// (DOTNET_SYSTEM_IO_DISABLEFILELOCKING).
/// </summary>
public static class StaleTempFiles
{
    /// <summary>How old a temp file must be (last write) before it may be removed.</summary>
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Deletes the stale files in <paramref name="directory"/> (not its subfolders) whose name
    /// <paramref name="isOurs"/> accepts; returns how many. Never throws for a file it cannot
    /// inspect or delete: cleaning up is best effort and must not fail the write that triggered it.
    /// </summary>
    public static int Remove(string directory, string searchPattern, Func<string, bool> isOurs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(isOurs);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, searchPattern, SearchOption.TopDirectoryOnly).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var removed = 0;
        foreach (var path in candidates)
        {
            if (isOurs(Path.GetFileName(path)) && TryRemove(path, now))
            {
                removed++;
            }
        }

        return removed;
    }

    private static bool TryRemove(string path, DateTimeOffset now)
    {
        try
        {
            if (now - File.GetLastWriteTimeUtc(path) < MinimumAge)
            {
                return false;
            }

            // Taking the lock proves no live writer has it; deleting while holding it leaves no gap.
            // (FileShare.Delete: a shared lock on Unix, still refused while a writer holds its
            // exclusive one; on Windows it lets the delete below through.)
            using var locked = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Delete, bufferSize: 1);
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Locked by a live writer, already gone, or not ours to delete.
            return false;
        }
    }
}
