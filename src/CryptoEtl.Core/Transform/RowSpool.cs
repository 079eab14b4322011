using System.Buffers;
using System.Buffers.Binary;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The kept rows of one transform between reading the raw object and writing the CSV: the
/// metrics need totals over all rows, so rows wait here for them instead of the raw object being
/// parsed twice. Each record is the row's market cap and volume (NaN for null) and its fields
/// from id to last_updated, already encoded as CSV. Records live in pooled 1 MB chunks up to a memory budget, then
/// spill to a temporary file that no process end leaves behind (a local file: written synchronously).
/// </summary>
internal sealed class RowSpool : IDisposable
{
    internal const int ChunkSize = 1 << 20;
    private const int RecordHeader = sizeof(int) + (2 * sizeof(double));
    private const string SpillPrefix = "cryptoetl-rows-";
    private const string SpillSuffix = ".tmp";

    private readonly long _memoryBudget;
    private readonly string _spillDirectory;
    private readonly List<(byte[] Chunk, int Used)> _sealed = [];
    private byte[] _current = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int _used;
    private FileStream? _spill;

    /// <param name="memoryBudget">Bytes of rows kept in memory before the rest go to a temporary file.</param>
    /// <param name="spillDirectory">Where that file goes; the system's temp folder when null.</param>
    public RowSpool(long memoryBudget, string? spillDirectory = null)
    {
        _memoryBudget = memoryBudget;
        _spillDirectory = spillDirectory ?? Path.GetTempPath();
    }

    public int Rows { get; private set; }

    /// <summary>True once rows went to a temporary file.</summary>
    public bool Spilled => _spill is not null;

    /// <summary>One row whose fields are already encoded.</summary>
    public void Add(double? marketCap, double? volume, ReadOnlySpan<byte> fields)
    {
        fields.CopyTo(BeginRow(fields.Length));
        CommitRow(marketCap, volume, fields.Length);
    }

    /// <summary>Room for the next row's <paramref name="fieldsLength"/> bytes of fields, written in place (no copy); then <see cref="CommitRow"/>.</summary>
    public Span<byte> BeginRow(int fieldsLength)
    {
        var size = RecordHeader + fieldsLength;
        if (_used + size > _current.Length)
        {
            Seal(size);
        }

        return _current.AsSpan(_used + RecordHeader, fieldsLength);
    }

    /// <summary>Completes the row <see cref="BeginRow"/> made room for.</summary>
    public void CommitRow(double? marketCap, double? volume, int fieldsLength)
    {
        var record = _current.AsSpan(_used, RecordHeader);
        BinaryPrimitives.WriteInt32LittleEndian(record, fieldsLength);
        BinaryPrimitives.WriteDoubleLittleEndian(record[4..], marketCap ?? double.NaN);
        BinaryPrimitives.WriteDoubleLittleEndian(record[12..], volume ?? double.NaN);
        _used += RecordHeader + fieldsLength;
        Rows++;
    }

    /// <summary>
    /// Hands the records back in order, a run of whole records at a time (read them with
    /// <see cref="TakeRow"/>); a run is only valid until the returned task completes.
    /// </summary>
    public async Task ReplayAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onRecords, CancellationToken cancellationToken)
    {
        foreach (var (chunk, used) in _sealed)
        {
            await onRecords(chunk.AsMemory(0, used), cancellationToken);
        }

        if (_spill is not null)
        {
            await _spill.FlushAsync(cancellationToken);
            _spill.Position = 0;
            var lengthBytes = new byte[sizeof(int)];
            while (await _spill.ReadAtLeastAsync(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false, cancellationToken) == lengthBytes.Length)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
                var chunk = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await _spill.ReadExactlyAsync(chunk.AsMemory(0, length), cancellationToken);
                    await onRecords(chunk.AsMemory(0, length), cancellationToken);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }

        await onRecords(_current.AsMemory(0, _used), cancellationToken);
    }

    /// <summary>Reads the first record of <paramref name="records"/>; returns its size.</summary>
    public static int TakeRow(ReadOnlySpan<byte> records, out double? marketCap, out double? volume, out ReadOnlySpan<byte> fields)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(records);
        var cap = BinaryPrimitives.ReadDoubleLittleEndian(records[4..]);
        var vol = BinaryPrimitives.ReadDoubleLittleEndian(records[12..]);
        marketCap = double.IsNaN(cap) ? null : cap;
        volume = double.IsNaN(vol) ? null : vol;
        fields = records.Slice(RecordHeader, length);
        return RecordHeader + length;
    }

    public void Dispose()
    {
        foreach (var (chunk, _) in _sealed)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _sealed.Clear();
        if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = [];
        }

        _spill?.Dispose();
    }

    /// <summary>
    /// A temporary file that nothing outlives: on Unix it is unlinked as soon as it is open (the
    /// open handle keeps it until this process ends, however it ends); on Windows DeleteOnClose
    /// is honoured by the system even when the process is killed. Spill files that a kill -9
    /// left before this rule (or on a file system that refuses the early unlink) are swept here.
    /// </summary>
    private static FileStream OpenSpillFile(string directory)
    {
        StaleTempFiles.Remove(directory, SpillPrefix + "*" + SpillSuffix, IsSpillName, DateTimeOffset.UtcNow);
        var path = Path.Combine(directory, $"{SpillPrefix}{Guid.NewGuid():N}{SpillSuffix}");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose | FileOptions.SequentialScan);
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // DeleteOnClose still removes it on a normal end; the sweep above on a later run.
            }
        }

        return file;
    }

    internal static bool IsSpillName(string fileName) =>
        fileName.Length == SpillPrefix.Length + 32 + SpillSuffix.Length
        && fileName.StartsWith(SpillPrefix, StringComparison.Ordinal) && fileName.EndsWith(SpillSuffix, StringComparison.Ordinal)
        && Guid.TryParseExact(fileName.AsSpan(SpillPrefix.Length, 32), "N", out _);

    /// <summary>Closes the current chunk: kept in memory within the budget, else appended to the spill file.</summary>
    private void Seal(int nextRecordSize)
    {
        var inMemory = (long)(_sealed.Count + 1) * ChunkSize;
        if (_spill is null && inMemory < _memoryBudget)
        {
            _sealed.Add((_current, _used));
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, nextRecordSize));
        }
        else
        {
            _spill ??= OpenSpillFile(_spillDirectory);
            Span<byte> length = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(length, _used);
            _spill.Write(length);
            _spill.Write(_current, 0, _used);
            if (_current.Length < nextRecordSize)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = ArrayPool<byte>.Shared.Rent(nextRecordSize);
            }
        }

        _used = 0;
    }
}
