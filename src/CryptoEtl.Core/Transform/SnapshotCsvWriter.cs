using System.Buffers;
using System.Text;
using CsvHelper;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// Pass 2 over the raw object: writes the kept rows as CSV (CsvHelper, UTF-8 spans: the JSON's
/// number text goes to the CSV untouched) with the metrics from pass 1's sums.
/// </summary>
internal sealed class SnapshotCsvWriter : ICoinSink, IDisposable
{
    private readonly SnapshotAnalyzer _analysis;
    private readonly Stream _destination;
    private readonly PendingBytes _pending = new();
    private readonly CsvWriter _csv;
    private readonly byte[] _fetchTime;
    private readonly byte[] _vsCurrency;
    private readonly double? _marketCapSum;
    private readonly double? _volumeSum;
    private readonly double? _globalTotal;
    private readonly int[] _nulls = new int[SnapshotColumns.Count];
    private CompensatedSum _dominance;

    public SnapshotCsvWriter(SnapshotAnalyzer analysis, RawSnapshotHeader header, Stream destination)
    {
        _analysis = analysis;
        _destination = destination;
        _fetchTime = Encoding.UTF8.GetBytes(ObjectKeys.Iso(header.FetchTime));
        _vsCurrency = Encoding.UTF8.GetBytes(header.VsCurrency);
        _marketCapSum = Denominator(analysis.MarketCaps);
        _volumeSum = Denominator(analysis.Volumes);
        _globalTotal = header.GlobalTotalMarketCap;

        // The writer's own flushes go to memory; OnBufferDoneAsync moves them to the destination
        // asynchronously, so the synchronous parse never blocks on the store.
        _csv = CsvWriter.Create(_pending, CsvWriterOptions.Default, leaveOpen: true);
        foreach (var column in CryptoSchema.Columns)
        {
            _csv.WriteField(column.Name);
        }

        _csv.EndRecord();
    }

    public int Coins { get; private set; }

    public int Rows { get; private set; }

    public IReadOnlyList<int> Nulls => _nulls;

    /// <summary>The sum of the dominance values written, and how many there were.</summary>
    public CompensatedSum Dominance => _dominance;

    public void OnCoin(ReadOnlySpan<byte> json, CoinRecord coin, CoinPosition position)
    {
        Coins++;
        if (!_analysis.KeptRows[position.Ordinal])
        {
            return;
        }

        Rows++;
        _csv.WriteField(_fetchTime);
        _csv.WriteField(_vsCurrency);
        foreach (var column in SnapshotColumns.CoinColumns)
        {
            var value = coin.Value(json, column);
            if (value.IsEmpty)
            {
                // Absent, null, or an empty string: all read back as null.
                _nulls[column]++;
            }

            _csv.WriteField(value);
        }

        double? marketCap = coin[SnapshotColumns.MarketCap].Kind == SlotKind.Number
            && SnapshotAnalyzer.TryParseNumber(coin.Value(json, SnapshotColumns.MarketCap), out var cap) ? cap : null;
        double? volume = coin[SnapshotColumns.TotalVolume].Kind == SlotKind.Number
            && SnapshotAnalyzer.TryParseNumber(coin.Value(json, SnapshotColumns.TotalVolume), out var v) ? v : null;

        var dominance = Percentage(marketCap, _marketCapSum);
        if (dominance is { } d)
        {
            _dominance.Add(d);
        }

        WriteMetric(SnapshotColumns.Dominance, dominance);
        WriteMetric(SnapshotColumns.VolumeShare, Percentage(volume, _volumeSum));
        WriteMetric(SnapshotColumns.GlobalDominance, Percentage(marketCap, _globalTotal));
        _csv.EndRecord();
    }

    public void OnNotAnObject(CoinPosition position) => Coins++;

    public async ValueTask OnBufferDoneAsync(CancellationToken cancellationToken)
    {
        _csv.Flush();
        await _pending.DrainToAsync(_destination, cancellationToken);
    }

    public void Dispose()
    {
        _csv.Dispose();
        _pending.Dispose();
    }

    /// <summary>part / whole * 100, exactly in that order; null when either is missing or whole is zero.</summary>
    internal static double? Percentage(double? part, double? whole) =>
        part is { } p && whole is { } w && w != 0 && double.IsFinite(p / w * 100) ? p / w * 100 : null;

    private static double? Denominator(CompensatedSum sum) => sum.Count > 0 ? sum.Value : null;

    private void WriteMetric(int column, double? value)
    {
        if (value is { } v)
        {
            // No format: CsvHelper writes a double as the shortest text that round-trips.
            _csv.WriteField(v, default);
        }
        else
        {
            _nulls[column]++;
            _csv.WriteField(ReadOnlySpan<byte>.Empty);
        }
    }

    /// <summary>A write-only stream that collects bytes in a pooled buffer until they are drained.</summary>
    private sealed class PendingBytes : Stream
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        private int _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public async ValueTask DrainToAsync(Stream destination, CancellationToken cancellationToken)
        {
            if (_length > 0)
            {
                await destination.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
                _length = 0;
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_length + buffer.Length > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + buffer.Length));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            buffer.CopyTo(_buffer.AsSpan(_length));
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && _buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }

            base.Dispose(disposing);
        }
    }
}
