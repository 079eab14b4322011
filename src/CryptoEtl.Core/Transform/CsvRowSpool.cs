using System.Buffers;
using System.Buffers.Binary;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// RFC 4180 field encoding into a growable UTF-8 buffer: a field is quoted only when it holds a
/// comma, a quote, CR or LF, with inner quotes doubled.
/// </summary>
internal sealed class CsvLine
{
    private static readonly SearchValues<byte> NeedsQuotes = SearchValues.Create(",\"\r\n"u8);

    private byte[] _buffer = new byte[1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Separator() => Append((byte)',');

    public void Field(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny(NeedsQuotes) < 0)
        {
            Append(value);
            return;
        }

        Append((byte)'"');
        while (true)
        {
            var quote = value.IndexOf((byte)'"');
            if (quote < 0)
            {
                Append(value);
                break;
            }

            Append(value[..(quote + 1)]);
            Append((byte)'"');
            value = value[(quote + 1)..];
        }

        Append((byte)'"');
    }

    /// <summary>The shortest text that round-trips (invariant), or an empty field for null.</summary>
    public void Number(double? value)
    {
        if (value is { } v)
        {
            Reserve(32);
            v.TryFormat(_buffer.AsSpan(Length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            Length += written;
        }
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Append(byte value)
    {
        Reserve(1);
        _buffer[Length++] = value;
    }

    private void Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }
    }
}

/// <summary>
/// The encoded rows of one transform between reading the raw object and writing the CSV: the
/// metrics need totals over all rows, so rows wait here for them instead of the raw object being
/// parsed twice. Each record is the row's market cap and volume (NaN for null) and its CSV text
/// without the metric columns. Records live in pooled 1 MB chunks up to a memory budget, then
/// spill to a temporary file that is deleted on dispose.
/// </summary>
internal sealed class CsvRowSpool : IDisposable
{
    internal const int ChunkSize = 1 << 20;
    private const int RecordHeader = sizeof(int) + (2 * sizeof(double));

    private readonly long _memoryBudget;
    private readonly List<(byte[] Chunk, int Used)> _sealed = [];
    private byte[] _current = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int _used;
    private FileStream? _spill;

    public CsvRowSpool(long memoryBudget)
    {
        _memoryBudget = memoryBudget;
    }

    public int Rows { get; private set; }

    /// <summary>True once rows went to a temporary file.</summary>
    public bool Spilled => _spill is not null;

    public void Add(double? marketCap, double? volume, ReadOnlySpan<byte> row)
    {
        var size = RecordHeader + row.Length;
        if (_used + size > _current.Length)
        {
            Seal(size);
        }

        var record = _current.AsSpan(_used, size);
        BinaryPrimitives.WriteInt32LittleEndian(record, row.Length);
        BinaryPrimitives.WriteDoubleLittleEndian(record[4..], marketCap ?? double.NaN);
        BinaryPrimitives.WriteDoubleLittleEndian(record[12..], volume ?? double.NaN);
        row.CopyTo(record[RecordHeader..]);
        _used += size;
        Rows++;
    }

    /// <summary>Hands every row back in order; <paramref name="onRow"/> gets the market cap, the volume and the row text.</summary>
    public async Task ReplayAsync(RowHandler onRow, Func<CancellationToken, ValueTask> afterChunk, CancellationToken cancellationToken)
    {
        foreach (var (chunk, used) in _sealed)
        {
            ReplayChunk(chunk.AsSpan(0, used), onRow);
            await afterChunk(cancellationToken);
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
                    ReplayChunk(chunk.AsSpan(0, length), onRow);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }

                await afterChunk(cancellationToken);
            }
        }

        ReplayChunk(_current.AsSpan(0, _used), onRow);
        await afterChunk(cancellationToken);
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

    internal delegate void RowHandler(double? marketCap, double? volume, ReadOnlySpan<byte> row);

    private static void ReplayChunk(ReadOnlySpan<byte> chunk, RowHandler onRow)
    {
        while (!chunk.IsEmpty)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(chunk);
            var marketCap = BinaryPrimitives.ReadDoubleLittleEndian(chunk[4..]);
            var volume = BinaryPrimitives.ReadDoubleLittleEndian(chunk[12..]);
            onRow(
                double.IsNaN(marketCap) ? null : marketCap,
                double.IsNaN(volume) ? null : volume,
                chunk.Slice(RecordHeader, length));
            chunk = chunk[(RecordHeader + length)..];
        }
    }

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
            _spill ??= new FileStream(
                Path.Combine(Path.GetTempPath(), $"cryptoetl-rows-{Guid.NewGuid():N}.tmp"),
                FileMode.CreateNew,
                FileAccess.ReadWrite,
                FileShare.None,
                bufferSize: 0,
                FileOptions.DeleteOnClose | FileOptions.SequentialScan);
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
