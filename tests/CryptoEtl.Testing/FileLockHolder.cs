using System.Diagnostics;

namespace CryptoEtl.Testing;

/// <summary>
/// Another process holding the POSIX record lock DuckDB takes on its file, as a `cryptoetl query`,
/// a `run` or the DuckDB CLI would (python3's fcntl.lockf: a lock held in this process would not
/// conflict with DuckDB's own, POSIX locks being per process). Released on dispose.
/// </summary>
public sealed class FileLockHolder : IAsyncDisposable
{
    private readonly Process _holder;

    private FileLockHolder(Process holder) => _holder = holder;

    /// <summary>Starts the holder and returns once the lock is taken.</summary>
    public static async Task<FileLockHolder> LockAsync(string path)
    {
        var holder = Process.Start(new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", "import fcntl, sys; f = open(sys.argv[1], 'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()", path },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        var line = await holder.StandardOutput.ReadLineAsync();
        if (line != "locked")
        {
            holder.Kill();
            holder.Dispose();
            throw new InvalidOperationException($"could not lock {path}: the holder said {line ?? "nothing"}");
        }

        return new FileLockHolder(holder);
    }

    public async ValueTask DisposeAsync()
    {
        _holder.StandardInput.Close();
        await _holder.WaitForExitAsync();
        _holder.Dispose();
    }
}
