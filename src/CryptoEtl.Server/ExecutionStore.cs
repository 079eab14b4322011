using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;

namespace CryptoEtl.Server;

/// <summary>
/// Keeps each execution as DATA_DIR/executions/SHA256(NAME).json, written through the folder store
/// (temp file then rename: a reader or a crash sees the old file or the new one). The file name is
/// a hash because execution names are AWS's, not file names: "..", ".hidden" or the folder store's
/// own temp-file shape are valid names. Saves go through one writer in order, and each writes the
/// record as it is when the write happens, so the last write always holds the latest state. A save
/// that fails (a full disk) is said on the log, shown on the console, and retried until it lands.
/// One server per folder: the store holds DATA_DIR/executions/serve.lock while it lives.
/// </summary>
public sealed class ExecutionStore : IAsyncDisposable
{
    public const string LockFileName = "serve.lock";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly FileSystemObjectStore _folder;
    private readonly string _directory;
    private readonly TextWriter _log;
    private readonly TimeProvider _time;
    private readonly FileStream _lock;
    private readonly Channel<(ExecutionRecord Record, object Gate)> _pending = Channel.CreateUnbounded<(ExecutionRecord, object)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _unsaved = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _writer;

    public ExecutionStore(string directory, TextWriter log, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(time);
        _directory = Path.GetFullPath(directory);
        _log = log;
        _time = time;
        _lock = Lock(_directory);
        _folder = new FileSystemObjectStore(_directory);
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>The saves that failed and wait for a retry, by execution name, with the error; empty when all landed.</summary>
    public IReadOnlyDictionary<string, string> Unsaved
    {
        get
        {
            lock (_unsaved)
            {
                return new Dictionary<string, string>(_unsaved, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The file an execution is kept in: no execution name can shape it.</summary>
    public static string FileName(string executionName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(executionName))) + ".json";

    public string PathOf(string executionName) => Path.Combine(_directory, FileName(executionName));

    /// <summary>
    /// The executions saved before, oldest first. A file that is not a record (cut short by a
    /// crash or a full disk) is skipped and said on the log, so one bad file does not keep the
    /// server from starting; it stays on disk for a person to look at.
    /// </summary>
    public IReadOnlyList<ExecutionRecord> LoadAll()
    {
        var records = new List<ExecutionRecord>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            ExecutionRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(File.ReadAllBytes(file), StepFunctionsJsonContext.Default.ExecutionRecord);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                _log.WriteLine($"cryptoetl serve: skipped {file}: not a readable execution record ({ex.Message}); it is left in place");
                continue;
            }

            if (record is null)
            {
                _log.WriteLine($"cryptoetl serve: skipped {file}: JSON null, not an execution record; it is left in place");
                continue;
            }

            records.Add(record);
            if (Path.GetFileName(file) != FileName(record.Name))
            {
                MoveUnderHash(file, record.Name);
            }
        }

        return [.. records.OrderBy(r => r.StartDate).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Queues a save; the record is serialized under <paramref name="gate"/> when its turn comes.</summary>
    public void Save(ExecutionRecord record, object gate) => _pending.Writer.TryWrite((record, gate));

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _closing.CancelAsync();
        await _writer;
        _closing.Dispose();
        await _lock.DisposeAsync();
    }

    private static FileStream Lock(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            // FileShare.None is an exclusive flock on Unix, dropped by the kernel when the process ends however it ends.
            return new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(Path.Combine(directory, LockFileName)))
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"another `cryptoetl serve` keeps its executions in {directory} (it holds {LockFileName}): stop it, or give this one another --data-dir", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PipelineException(ErrorNames.Configuration, $"cannot keep executions in {directory}: {ex.Message}", ex);
        }
    }

    private async Task WriteAllAsync()
    {
        await foreach (var (record, gate) in _pending.Reader.ReadAllAsync())
        {
            byte[] bytes;
            lock (gate)
            {
                bytes = JsonSerializer.SerializeToUtf8Bytes(record, StepFunctionsJsonContext.Default.ExecutionRecord);
            }

            try
            {
                await _folder.PutBytesAsync(FileName(record.Name), ContentTypes.Json, bytes, CancellationToken.None);
                lock (_unsaved)
                {
                    if (_unsaved.Remove(record.Name))
                    {
                        _log.WriteLine($"cryptoetl serve: saved execution {record.Name} after all");
                    }
                }
            }
#pragma warning disable CA1031 // A full disk, or anything else, must not end the writer: every later save would be lost.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var message = ex is PipelineException named ? $"{named.ErrorName}: {named.Message}" : $"{ex.GetType().Name}: {ex.Message}";
                lock (_unsaved)
                {
                    // Said once per record until it lands; the console shows the list meanwhile.
                    if (_unsaved.TryAdd(record.Name, message))
                    {
                        _log.WriteLine($"cryptoetl serve: could not save execution {record.Name}, retrying: {message}");
                    }
                }

                _ = RetryLaterAsync(record, gate);
            }
        }
    }

    /// <summary>Queues the record again after a pause, unless a newer save of it already landed or the store closes.</summary>
    private async Task RetryLaterAsync(ExecutionRecord record, object gate)
    {
        try
        {
            await Task.Delay(RetryDelay, _time, _closing.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_unsaved)
        {
            if (_unsaved.ContainsKey(record.Name))
            {
                _pending.Writer.TryWrite((record, gate));
            }
        }
    }

    /// <summary>A record from a version that named files after executions: renamed (atomically) to its hash.</summary>
    private void MoveUnderHash(string file, string executionName)
    {
        try
        {
            File.Move(file, PathOf(executionName), overwrite: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.WriteLine($"cryptoetl serve: could not rename {file} to {FileName(executionName)}: {ex.Message}");
        }
    }
}
