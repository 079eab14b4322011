using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CsvHelper;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The one pass over the raw object: decides which page elements become rows (and why the
/// others do not), keeps each kept row's fields in the spool, and sums market caps and volumes.
/// <see cref="WriteCsvAsync"/> then writes the CSV (CsvHelper) with the metrics those sums allow.
/// </summary>
internal sealed class SnapshotTransformer : ICoinSink, IDisposable
{
    /// <summary>Rows up to this size stay in memory; the rest go to a temporary file.</summary>
    internal const long DefaultSpoolMemory = 64L << 20;

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

    /// <summary>Per <see cref="NonNegativeChecks"/> entry: "id (column)" of every negative value.</summary>
    public IReadOnlyList<List<string>> Negatives => _negatives;

    public CompensatedSum MarketCaps => _marketCaps;

    public CompensatedSum Volumes => _volumes;

    public void OnCoin(ReadOnlySpan<byte> json, CoinRecord coin, CoinPosition position)
    {
        Coins++;
        var reason = RejectionReason(json, coin, out var marketCap, out var volume, out var rank);
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
        SpoolRow(json, coin, marketCap, volume);
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
                if (IsNegative(coin.Value(json, column)))
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
        var marketCapSum = _marketCaps.Count > 0 ? _marketCaps.Value : (double?)null;
        var volumeSum = _volumes.Count > 0 ? _volumes.Value : (double?)null;
        var globalTotal = GlobalTotalTooSmall(header.GlobalTotalMarketCap) ? null : header.GlobalTotalMarketCap;
        _nulls[SnapshotColumns.Dominance] = _nulls[SnapshotColumns.VolumeShare] = _nulls[SnapshotColumns.GlobalDominance] = 0;
        _dominance = default;

        var fetchTime = Encoding.UTF8.GetBytes(ObjectKeys.Iso(header.FetchTime));
        var vsCurrency = Encoding.UTF8.GetBytes(header.VsCurrency);
        using var pending = new PendingBytes();
        // CsvHelper's own flushes go to memory; the CSV of each spool chunk then goes to the
        // destination asynchronously.
        await using var csv = CsvWriter.Create(pending, CsvWriterOptions.Default, leaveOpen: true);
        foreach (var column in CryptoSchema.Columns)
        {
            csv.WriteField(column.Name);
        }

        csv.EndRecord();
        await _rows.ReplayAsync(
            (marketCap, volume, fields) =>
            {
                var dominance = Percentage(marketCap, marketCapSum);
                if (dominance is { } d)
                {
                    _dominance.Add(d);
                }

                csv.WriteField(fetchTime);
                csv.WriteField(vsCurrency);
                while (!fields.IsEmpty)
                {
                    // The JSON's text as it was: numbers are never re-rounded.
                    csv.WriteField(FieldBuffer.Next(ref fields));
                }

                Metric(csv, SnapshotColumns.Dominance, dominance);
                Metric(csv, SnapshotColumns.VolumeShare, Percentage(volume, volumeSum));
                Metric(csv, SnapshotColumns.GlobalDominance, Percentage(marketCap, globalTotal));
                csv.EndRecord();
            },
            async ct =>
            {
                csv.Flush();
                await pending.DrainToAsync(destination, ct);
            },
            cancellationToken);
    }

    public void Dispose() => _rows.Dispose();

    /// <summary>part / whole * 100, in that order; null when either is missing, whole is zero or the result is not finite.</summary>
    internal static double? Percentage(double? part, double? whole) =>
        part is { } p && whole is { } w && w != 0 && double.IsFinite(p / w * 100) ? p / w * 100 : null;

    /// <summary>A JSON number's value; false for text a double cannot hold finitely.</summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private void Metric(CsvWriter csv, int column, double? value)
    {
        if (value is { } v)
        {
            // No format: the shortest text that round-trips, invariant.
            csv.WriteField(v, default);
        }
        else
        {
            _nulls[column]++;
            csv.WriteField(ReadOnlySpan<byte>.Empty);
        }
    }

    /// <summary>
    /// Puts the row's fields from id to last_updated into the spool, encoded in place (fetch time,
    /// currency and metrics are added when the CSV is written).
    /// </summary>
    private void SpoolRow(ReadOnlySpan<byte> json, CoinRecord coin, double? marketCap, double? volume)
    {
        var length = 0;
        foreach (var column in SnapshotColumns.CoinColumns)
        {
            length += FieldBuffer.SizeOf(coin.ValueLength(column));
        }

        var row = _rows.BeginRow(length);
        var at = 0;
        foreach (var column in SnapshotColumns.CoinColumns)
        {
            var value = coin.Value(json, column);
            if (value.IsEmpty)
            {
                // Absent, null, or an empty string: all read back as null.
                _nulls[column]++;
            }

            at += FieldBuffer.Write(row[at..], value);
        }

        _rows.CommitRow(marketCap, volume, length);
    }

    private static string? RejectionReason(ReadOnlySpan<byte> json, CoinRecord coin, out double? marketCap, out double? volume, out long? rank)
    {
        marketCap = null;
        volume = null;
        rank = null;
        if (coin.RepeatedProperty)
        {
            return SnapshotColumns.DuplicateProperty;
        }

        if (FieldReason(json, coin, out var firstInvalid) is { } fieldReason)
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
            case SlotKind.Number when !IsFinite(coin.Value(json, price)):
                return SnapshotColumns.InvalidReason[price];
            case SlotKind.Number when IsNegative(coin.Value(json, price)):
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
            if (!TryParseNumber(coin.Value(json, SnapshotColumns.MarketCap), out var value))
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
            if (!TryParseNumber(coin.Value(json, SnapshotColumns.TotalVolume), out var value))
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
    /// The first field, in CSV order, that is too long, not UTF-8 (or not UTF-16 in its escapes) or
    /// holds a control character; and, from the same pass, the first column of a type it cannot hold (else -1).
    /// </summary>
    private static string? FieldReason(ReadOnlySpan<byte> json, CoinRecord coin, out int firstInvalid)
    {
        firstInvalid = -1;
        foreach (var column in SnapshotColumns.CoinColumns)
        {
            ref readonly var slot = ref coin[column];
            if (slot.Kind == SlotKind.Invalid && firstInvalid < 0)
            {
                firstInvalid = column;
            }

            var problem = slot.Kind switch
            {
                // The reader proved it a JSON number; only its length can be wrong.
                SlotKind.Number => slot.Length > FieldValidation.MaxNumberBytes ? FieldProblem.TooLong : FieldProblem.None,
                SlotKind.String or SlotKind.Unescaped => FieldValidation.CheckText(coin.Value(json, column)),
                SlotKind.Undecodable => FieldProblem.InvalidEncoding,
                _ => FieldProblem.None,
            };
            if (problem != FieldProblem.None)
            {
                return problem switch
                {
                    FieldProblem.TooLong => SnapshotColumns.TooLongReason[column],
                    FieldProblem.InvalidEncoding => SnapshotColumns.InvalidEncodingReason[column],
                    _ => SnapshotColumns.ControlCharacterReason[column],
                };
            }
        }

        return null;
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

    /// <summary>
    /// Whether a JSON number (at most <see cref="FieldValidation.MaxNumberBytes"/> long) is a finite
    /// double: without an exponent it always is (64 digits are far from 1.8e308), so only
    /// exponent forms are parsed.
    /// </summary>
    private static bool IsFinite(ReadOnlySpan<byte> number) =>
        number.IndexOfAny((byte)'e', (byte)'E') < 0 || TryParseNumber(number, out _);

    /// <summary>Negative, not merely signed: "-0" and "-0.0" are zero.</summary>
    private static bool IsNegative(ReadOnlySpan<byte> number) =>
        number.Length > 1 && number[0] == (byte)'-' && TryParseNumber(number, out var value) && value < 0;

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
