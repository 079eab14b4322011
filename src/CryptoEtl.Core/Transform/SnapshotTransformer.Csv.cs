using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CryptoEtl.Core.Transform;

// Writing the CSV: the spooled rows between their prefix and their metrics.
internal sealed partial class SnapshotTransformer
{
    // The CSV goes to the destination in writes of about this size, from one reused buffer.
    private const int OutputBufferSize = 256 * 1024;
    private const int OutputFlushAt = OutputBufferSize - (16 * 1024);

    // ",<metric>" three times and CRLF; a double's shortest text is at most 24 bytes.
    private const int MetricsMaxBytes = (3 * 32) + 2;

    /// <summary>Writes the CSV: header, then every kept row with fetch time, currency and metrics.</summary>
    public async Task WriteCsvAsync(RawSnapshotHeader header, Stream destination, CancellationToken cancellationToken)
    {
        _nulls[SnapshotColumns.Dominance] = _nulls[SnapshotColumns.VolumeShare] = _nulls[SnapshotColumns.GlobalDominance] = 0;
        _dominance = default;
        var context = (
            Prefix: RowPrefix(header),
            MarketCapSum: _marketCaps.Count > 0 ? _marketCaps.Value : (double?)null,
            VolumeSum: _volumes.Count > 0 ? _volumes.Value : (double?)null,
            GlobalTotal: GlobalTotalTooSmall(header.GlobalTotalMarketCap) ? null : header.GlobalTotalMarketCap);

        var output = new ArrayBufferWriter<byte>(OutputBufferSize);
        output.Write(Encoding.UTF8.GetBytes(CryptoSchema.CsvHeader + "\r\n"));
        await _rows.ReplayAsync(
            async (records, ct) =>
            {
                var consumed = 0;
                while (consumed < records.Length)
                {
                    consumed += WriteRows(records.Span[consumed..], output, context);
                    if (output.WrittenCount >= OutputFlushAt)
                    {
                        await destination.WriteAsync(output.WrittenMemory, ct);
                        output.ResetWrittenCount();
                    }
                }
            },
            cancellationToken);
        await destination.WriteAsync(output.WrittenMemory, cancellationToken);
    }

    /// <summary>part / whole * 100, in that order; null when either is missing, whole is zero or the result is not finite.</summary>
    internal static double? Percentage(double? part, double? whole) =>
        part is { } p && whole is { } w && w != 0 && double.IsFinite(p / w * 100) ? p / w * 100 : null;

    /// <summary>"fetch_time,vs_currency," as every row starts.</summary>
    private static byte[] RowPrefix(RawSnapshotHeader header)
    {
        var fetchTime = header.Snapshot.Iso;
        var vsCurrency = Encoding.UTF8.GetBytes(header.VsCurrency);
        var prefix = new byte[fetchTime.Length + CsvFieldEncoding.QuotedLength(vsCurrency) + 2];
        var at = Encoding.UTF8.GetBytes(fetchTime, prefix);
        prefix[at++] = (byte)',';
        at += CsvFieldEncoding.Write(prefix.AsSpan(at), vsCurrency);
        prefix[at++] = (byte)',';
        return prefix[..at];
    }

    /// <summary>
    /// Writes whole rows from <paramref name="records"/> until the output is due a flush; returns
    /// the record bytes used. <paramref name="context"/>: each row's start, and the totals the metrics divide by.
    /// </summary>
    private int WriteRows(
        ReadOnlySpan<byte> records,
        ArrayBufferWriter<byte> output,
        (byte[] Prefix, double? MarketCapSum, double? VolumeSum, double? GlobalTotal) context)
    {
        var (prefix, marketCapSum, volumeSum, globalTotal) = context;
        var consumed = 0;
        while (consumed < records.Length && output.WrittenCount < OutputFlushAt)
        {
            consumed += RowSpool.TakeRow(records[consumed..], out var marketCap, out var volume, out var fields);
            var dominance = Percentage(marketCap, marketCapSum);
            if (dominance is { } d)
            {
                _dominance.Add(d);
            }

            var row = output.GetSpan(prefix.Length + fields.Length + MetricsMaxBytes);
            prefix.CopyTo(row);
            // The JSON's text as it was: numbers are never re-rounded.
            fields.CopyTo(row[prefix.Length..]);
            var at = prefix.Length + fields.Length;
            at += Metric(row[at..], SnapshotColumns.Dominance, dominance);
            at += Metric(row[at..], SnapshotColumns.VolumeShare, Percentage(volume, volumeSum));
            at += Metric(row[at..], SnapshotColumns.GlobalDominance, Percentage(marketCap, globalTotal));
            row[at++] = (byte)'\r';
            row[at++] = (byte)'\n';
            output.Advance(at);
        }

        return consumed;
    }

    /// <summary>Writes ",value" (or "," for null); returns the bytes written.</summary>
    private int Metric(Span<byte> destination, int column, double? value)
    {
        destination[0] = (byte)',';
        if (value is not { } v)
        {
            _nulls[column]++;
            return 1;
        }

        // No format: the shortest text that round-trips, invariant.
        var formatted = v.TryFormat(destination[1..], out var written, default, CultureInfo.InvariantCulture);
        Debug.Assert(formatted, "MetricsMaxBytes holds any double");
        return written + 1;
    }
}
