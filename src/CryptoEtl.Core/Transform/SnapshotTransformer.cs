using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The one pass over the raw object: decides which page elements become rows (and why the
/// others do not), keeps each kept row's fields in the spool already encoded as CSV
/// (<see cref="CsvFieldEncoding"/>), and sums market caps and volumes. <see cref="WriteCsvAsync"/> then
/// writes the CSV: each spooled row between the fetch time and currency and the metrics those sums allow.
/// </summary>
internal sealed class SnapshotTransformer : ICoinSink, IDisposable
{
    /// <summary>Rows up to this size stay in memory; the rest go to a temporary file.</summary>
    internal const long DefaultSpoolMemory = 64L << 20;

    // The CSV goes to the destination in writes of about this size, from one reused buffer.
    private const int OutputBufferSize = 256 * 1024;
    private const int OutputFlushAt = OutputBufferSize - (16 * 1024);

    // ",<metric>" three times and CRLF; a double's shortest text is at most 24 bytes.
    private const int MetricsMaxBytes = (3 * 32) + 2;

    // The sanity checks on signs: check name, then the columns it covers.
    // (A negative current_price, market_cap or total_volume rejects the coin instead: see RejectionReason.)
    internal static readonly (string Check, int[] Columns)[] NonNegativeChecks =
    [
        ("no_negative_prices", Columns("high_24h", "low_24h", "ath", "atl")),
        ("no_negative_caps", Columns("fully_diluted_valuation")),
    ];

    private readonly Utf8StringSet _ids = new();
    private readonly RowSpool _rows;
    private readonly int[] _nulls = new int[SnapshotColumns.Count];
    private readonly HashSet<long> _ranks = [];
    private readonly SortedDictionary<string, List<RejectedCoin>> _rejected = new(StringComparer.Ordinal);
    private readonly List<string> _duplicateIds = [];
    private readonly List<string> _duplicateRanks = [];
    private readonly List<string> _unreadableTimestamps = [];
    private readonly List<string>[] _negatives = NonNegativeChecks.Select(_ => new List<string>()).ToArray();
    private CompensatedSum _marketCaps;
    private CompensatedSum _volumes;
    private CompensatedSum _dominance;

    public SnapshotTransformer(long spoolMemory = DefaultSpoolMemory)
    {
        _rows = new RowSpool(spoolMemory);
    }

    public int Coins { get; private set; }

    public int Kept { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Whether the rows outgrew memory and went through a temporary file.</summary>
    public bool Spilled => _rows.Spilled;

    /// <summary>Empty CSV fields per column (the metric columns once the CSV is written).</summary>
    public IReadOnlyList<int> Nulls => _nulls;

    /// <summary>The sum of the dominance values written, and how many there were.</summary>
    public CompensatedSum Dominance => _dominance;

    public IReadOnlyDictionary<string, List<RejectedCoin>> RejectedByReason => _rejected;

    public IReadOnlyList<string> DuplicateIds => _duplicateIds;

    /// <summary>"id (rank N)" for every kept row whose rank an earlier row already had.</summary>
    public IReadOnlyList<string> DuplicateRanks => _duplicateRanks;

    /// <summary>"id (column)" of every timestamp of a kept row that <see cref="UtcTimestamp"/> could not read (null in the CSV).</summary>
    public IReadOnlyList<string> UnreadableTimestamps => _unreadableTimestamps;

    /// <summary>Per <see cref="NonNegativeChecks"/> entry: "id (column)" of every negative value.</summary>
    public IReadOnlyList<List<string>> Negatives => _negatives;

    public CompensatedSum MarketCaps => _marketCaps;

    public CompensatedSum Volumes => _volumes;

    public void OnCoin(ReadOnlySpan<byte> json, CoinRecord coin, CoinPosition position)
    {
        Coins++;
        // The row is encoded into the spool while its fields are checked, and committed only if the coin is kept.
        var row = _rows.BeginRow(EncodedRowBound(coin));
        var reason = RejectionReason(json, coin, row, out var shape, out var marketCap, out var volume, out var rank);
        if (reason is not null)
        {
            Reject(reason, position, HasPrintableId(json, coin) ? IdOf(json, coin) : null);
            return;
        }

        // A coin that moved between pages during the sweep: the first sighting wins.
        if (!_ids.Add(coin.Value(json, SnapshotColumns.Id)))
        {
            _duplicateIds.Add(IdOf(json, coin));
            return;
        }

        Kept++;
        _rows.CommitRow(marketCap, volume, shape.Length);
        for (var nulls = shape.Nulls; nulls != 0; nulls &= nulls - 1)
        {
            // Absent, null, or an empty string: all read back as null.
            _nulls[BitOperations.TrailingZeroCount(nulls)]++;
        }

        for (var unreadable = shape.UnreadableTimestamps; unreadable != 0; unreadable &= unreadable - 1)
        {
            _unreadableTimestamps.Add($"{IdOf(json, coin)} ({SnapshotColumns.ColumnName(BitOperations.TrailingZeroCount(unreadable))})");
        }

        if (marketCap is { } cap)
        {
            _marketCaps.Add(cap);
        }

        if (volume is { } v)
        {
            _volumes.Add(v);
        }

        if (rank is { } r && !_ranks.Add(r))
        {
            _duplicateRanks.Add(string.Create(CultureInfo.InvariantCulture, $"{IdOf(json, coin)} (rank {r})"));
        }

        for (var check = 0; check < NonNegativeChecks.Length; check++)
        {
            foreach (var column in NonNegativeChecks[check].Columns)
            {
                if (JsonNumber.IsNegative(coin.Value(json, column)))
                {
                    _negatives[check].Add($"{IdOf(json, coin)} ({SnapshotColumns.ColumnName(column)})");
                }
            }
        }
    }

    public void OnNotAnObject(CoinPosition position)
    {
        Coins++;
        Reject(SnapshotColumns.NotAnObject, position, null);
    }

    public ValueTask OnBufferDoneAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// True when the kept coins' market caps add up to more than /global's total (beyond the drift
    /// of CoinGecko computing the two a few minutes apart): the /global response is from another
    /// moment, and dominance against it would be meaningless (over 100 %).
    /// </summary>
    public bool GlobalTotalTooSmall(double? globalTotal) =>
        globalTotal is { } g && _marketCaps.Count > 0 && _marketCaps.Value > g * (1 + GlobalDriftTolerance);

    /// <summary>How far the snapshot's sum may exceed /global's total before /global is not used.</summary>
    internal const double GlobalDriftTolerance = 0.02;

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

    public void Dispose() => _rows.Dispose();

    /// <summary>part / whole * 100, in that order; null when either is missing, whole is zero or the result is not finite.</summary>
    internal static double? Percentage(double? part, double? whole) =>
        part is { } p && whole is { } w && w != 0 && double.IsFinite(p / w * 100) ? p / w * 100 : null;

    /// <summary>"fetch_time,vs_currency," as every row starts.</summary>
    private static byte[] RowPrefix(RawSnapshotHeader header)
    {
        var fetchTime = ObjectKeys.Iso(header.FetchTime);
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

    /// <summary>
    /// The most bytes a coin's row can take as CSV: every value quoted with every byte a quote, and
    /// the separators. Real rows take less than half; the spool only needs the room while it writes.
    /// </summary>
    private static int EncodedRowBound(CoinRecord coin) => (2 * coin.ValueBytes) + (3 * SnapshotColumns.CoinColumns.Length) + TimestampsMaxBytes;

    // A bare date (10 bytes) becomes 24 in the CSV.
    private static readonly int TimestampsMaxBytes = SnapshotColumns.IsTimestamp.Count(t => t) * UtcTimestamp.Length;

    private static string? RejectionReason(ReadOnlySpan<byte> json, CoinRecord coin, Span<byte> row, out RowShape shape, out double? marketCap, out double? volume, out long? rank)
    {
        shape = default;
        marketCap = null;
        volume = null;
        rank = null;
        if (coin.RepeatedProperty)
        {
            return SnapshotColumns.DuplicateProperty;
        }

        if (EncodeRow(json, coin, row, out var firstInvalid, out shape) is { } fieldReason)
        {
            return fieldReason;
        }

        if ((RequiredTextReason(coin, SnapshotColumns.Id) ?? RequiredTextReason(coin, SnapshotColumns.Symbol)
            ?? RequiredTextReason(coin, SnapshotColumns.Name)) is { } textReason)
        {
            return textReason;
        }

        var price = SnapshotColumns.CurrentPrice;
        switch (coin[price].Kind)
        {
            case SlotKind.Absent or SlotKind.Null:
                return SnapshotColumns.MissingReason[price];
            case SlotKind.Number when !JsonNumber.IsFinite(coin.Value(json, price)):
                return SnapshotColumns.InvalidReason[price];
            case SlotKind.Number when JsonNumber.IsNegative(coin.Value(json, price)):
                return SnapshotColumns.NegativeCurrentPrice;
            case SlotKind.Invalid:
                return SnapshotColumns.InvalidReason[price];
        }

        if (firstInvalid >= 0)
        {
            return SnapshotColumns.InvalidReason[firstInvalid];
        }

        if (coin.RoiInvalid)
        {
            return SnapshotColumns.InvalidRoi;
        }

        if (coin[SnapshotColumns.MarketCap].Kind == SlotKind.Number)
        {
            if (!JsonNumber.TryParse(coin.Value(json, SnapshotColumns.MarketCap), out var value))
            {
                return SnapshotColumns.InvalidReason[SnapshotColumns.MarketCap];
            }

            if (value < 0)
            {
                // A negative cap would push every other coin's dominance past 100 %.
                return SnapshotColumns.NegativeMarketCap;
            }

            marketCap = value;
        }

        if (coin[SnapshotColumns.TotalVolume].Kind == SlotKind.Number)
        {
            if (!JsonNumber.TryParse(coin.Value(json, SnapshotColumns.TotalVolume), out var value))
            {
                return SnapshotColumns.InvalidReason[SnapshotColumns.TotalVolume];
            }

            if (value < 0)
            {
                return SnapshotColumns.NegativeTotalVolume;
            }

            volume = value;
        }

        if (coin[SnapshotColumns.MarketCapRank].Kind == SlotKind.Number)
        {
            // A whole-number column: the warehouse loads it as an integer.
            var text = coin.Value(json, SnapshotColumns.MarketCapRank);
            if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length)
            {
                return SnapshotColumns.InvalidReason[SnapshotColumns.MarketCapRank];
            }

            rank = value;
        }

        return null;
    }

    /// <summary>
    /// Writes the row's fields from id to last_updated as CSV into <paramref name="row"/> (fetch
    /// time, currency and metrics are added when the CSV is written) and, in the same pass, finds
    /// the first field, in CSV order, that is too long, not UTF-8 (or not UTF-16 in its escapes) or
    /// holds a control character, and the first column of a type it cannot hold (else -1).
    /// </summary>
    private static string? EncodeRow(ReadOnlySpan<byte> json, CoinRecord coin, Span<byte> row, out int firstInvalid, out RowShape shape)
    {
        firstInvalid = -1;
        shape = default;
        var columns = SnapshotColumns.CoinColumns;
        var nulls = 0UL;
        var unreadable = 0UL;
        var at = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            if (i > 0)
            {
                row[at++] = (byte)',';
            }

            ref readonly var slot = ref coin[column];
            switch (slot.Kind)
            {
                case SlotKind.Number:
                    // The reader proved it a JSON number (never quoted); only its length can be wrong.
                    if (slot.Length > FieldValidation.MaxNumberBytes)
                    {
                        return SnapshotColumns.TooLongReason[column];
                    }

                    json.Slice(slot.Start, slot.Length).CopyTo(row[at..]);
                    at += slot.Length;
                    break;
                case SlotKind.String or SlotKind.Unescaped:
                    var text = coin.Value(json, column);
                    if (text.IsEmpty)
                    {
                        nulls |= 1UL << column;
                    }
                    else if (SnapshotColumns.IsTimestamp[column])
                    {
                        // One form for both warehouses; what no warehouse could read is null, and said so.
                        switch (UtcTimestamp.Canonicalize(text, row[at..]))
                        {
                            case UtcTimestamp.Result.Canonical:
                                text.CopyTo(row[at..]);
                                at += text.Length;
                                break;
                            case UtcTimestamp.Result.Rewritten:
                                at += UtcTimestamp.Length;
                                break;
                            default:
                                nulls |= 1UL << column;
                                unreadable |= 1UL << column;
                                break;
                        }
                    }
                    else if (text.Length <= FieldValidation.MaxTextBytes && CsvFieldEncoding.IsPlain(text)
                        && !(SnapshotColumns.IsDisplayText[column] && (text[0] == ' ' || text[^1] == ' ')))
                    {
                        text.CopyTo(row[at..]);
                        at += text.Length;
                    }
                    else
                    {
                        var problem = FieldValidation.CheckText(text);
                        if (problem != FieldProblem.None)
                        {
                            return problem switch
                            {
                                FieldProblem.TooLong => SnapshotColumns.TooLongReason[column],
                                FieldProblem.InvalidEncoding => SnapshotColumns.InvalidEncodingReason[column],
                                _ => SnapshotColumns.ControlCharacterReason[column],
                            };
                        }

                        if (!SnapshotColumns.IsDisplayText[column])
                        {
                            at += CsvFieldEncoding.Write(row[at..], text);
                        }
                        else if (WriteDisplayText(row[at..], text) is { } written)
                        {
                            at += written;
                        }
                        else
                        {
                            return SnapshotColumns.MissingReason[column];
                        }
                    }

                    break;
                case SlotKind.Undecodable:
                    return SnapshotColumns.InvalidEncodingReason[column];
                case SlotKind.Invalid:
                    if (firstInvalid < 0)
                    {
                        firstInvalid = column;
                    }

                    nulls |= 1UL << column;
                    break;
                default:
                    nulls |= 1UL << column;
                    break;
            }
        }

        shape = new RowShape(at, nulls, unreadable);
        return null;
    }

    /// <summary>Writes display text without its invisible characters; null when nothing visible is left.</summary>
    private static int? WriteDisplayText(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        var visible = InvisibleCharacters.Trim(text);
        if (!InvisibleCharacters.HasInner(visible))
        {
            return visible.IsEmpty ? null : CsvFieldEncoding.Write(destination, visible);
        }

        // Rare: a pooled buffer, no allocation per row.
        var scratch = ArrayPool<byte>.Shared.Rent(visible.Length);
        try
        {
            var length = InvisibleCharacters.RemoveInner(visible, scratch);
            return length == 0 ? null : CsvFieldEncoding.Write(destination, scratch.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Whether a rejected coin's id can go into the quality object as it is.</summary>
    private static bool HasPrintableId(ReadOnlySpan<byte> json, CoinRecord coin) =>
        coin.HasValue(SnapshotColumns.Id) && FieldValidation.CheckText(coin.Value(json, SnapshotColumns.Id)) == FieldProblem.None;

    private static string? RequiredTextReason(CoinRecord coin, int column) => coin[column] switch
    {
        { Kind: SlotKind.String or SlotKind.Unescaped, Length: > 0 } => null,
        { Kind: SlotKind.Invalid } => SnapshotColumns.InvalidReason[column],
        _ => SnapshotColumns.MissingReason[column],
    };

    private static string IdOf(ReadOnlySpan<byte> json, CoinRecord coin) => Encoding.UTF8.GetString(coin.Value(json, SnapshotColumns.Id));

    private static int[] Columns(params string[] names) => names.Select(CryptoSchema.IndexOf).ToArray();

    private void Reject(string reason, CoinPosition position, string? id)
    {
        Rejected++;
        if (!_rejected.TryGetValue(reason, out var coins))
        {
            _rejected[reason] = coins = [];
        }

        coins.Add(new RejectedCoin(position.Page, position.Index, id));
    }
}
