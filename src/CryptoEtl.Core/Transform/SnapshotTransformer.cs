using System.Globalization;
using System.Numerics;
using System.Text;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The one pass over the raw object: decides which page elements become rows (and why the
/// others do not), keeps each kept row's fields in the spool already encoded as CSV
/// (<see cref="CsvFieldEncoding"/>), and sums market caps and volumes. <see cref="WriteCsvAsync"/> then
/// writes the CSV: each spooled row between the fetch time and currency and the metrics those sums allow.
/// In partial files by concern: this one takes the coins and keeps the tallies;
/// SnapshotTransformer.Rejection.cs decides whether a coin becomes a row, SnapshotTransformer.Encoding.cs
/// encodes its fields, SnapshotTransformer.Csv.cs writes the CSV.
/// </summary>
internal sealed partial class SnapshotTransformer : ICoinSink, IDisposable
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

    public void Dispose() => _rows.Dispose();

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
