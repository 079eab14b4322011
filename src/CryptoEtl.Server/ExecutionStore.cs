using System.Text.Json;
using System.Threading.Channels;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;

namespace CryptoEtl.Server;

/// <summary>
/// Keeps each execution as DATA_DIR/executions/NAME.json, written through the folder store
/// (temp file then rename: a reader or a crash sees the old file or the new one). Saves go through
/// one writer in order, and each writes the record as it is when the write happens, so the last
/// write always holds the latest state.
/// </summary>
public sealed class ExecutionStore : IAsyncDisposable
{
    private readonly FileSystemObjectStore _folder;
    private readonly string _directory;
    private readonly Channel<(ExecutionRecord Record, object Gate)> _pending = Channel.CreateUnbounded<(ExecutionRecord, object)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public ExecutionStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        _folder = new FileSystemObjectStore(_directory);
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>The executions saved before, oldest first.</summary>
    public IReadOnlyList<ExecutionRecord> LoadAll()
    {
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        var records = new List<ExecutionRecord>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            try
            {
                var record = JsonSerializer.Deserialize(File.ReadAllBytes(file), StepFunctionsJsonContext.Default.ExecutionRecord);
                if (record is not null)
                {
                    records.Add(record);
                }
            }
            catch (JsonException ex)
            {
                throw new PipelineException(ErrorNames.InvalidInput, $"the saved execution {file} is not readable: {ex.Message}", ex);
            }
        }

        return [.. records.OrderBy(r => r.StartDate).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Queues a save; the record is serialized under <paramref name="gate"/> when its turn comes.</summary>
    public void Save(ExecutionRecord record, object gate) => _pending.Writer.TryWrite((record, gate));

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
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
                await _folder.PutBytesAsync($"{record.Name}.json", ContentTypes.Json, bytes, CancellationToken.None);
            }
            catch (PipelineException ex)
            {
                // A full disk must not stop the server; the execution stays in memory and the next save retries.
                await Console.Error.WriteLineAsync($"cryptoetl serve: {ex.ErrorName}: {ex.Message}");
            }
        }
    }
}
