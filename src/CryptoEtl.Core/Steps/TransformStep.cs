using System.Globalization;
using System.Text.Json;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// Transform: raw snapshot object -> cleaned CSV with metrics (ObjectKeys.Csv, a new name per write) and a data-quality
/// object (ObjectKeys.Quality). One streaming pass over the raw object validates it, decides the
/// rows and encodes them into a spool (memory, then a temporary file), so memory stays flat with
/// the object's size; the CSV is written only after the whole object proved valid, with the
/// metrics that need its totals.
/// </summary>
public sealed class TransformStep
{
    private const double DominanceTolerance = 1e-9;

    private readonly IObjectStore _store;
    private readonly long _spoolMemory;

    public TransformStep(IObjectStore store)
        : this(store, SnapshotTransformer.DefaultSpoolMemory)
    {
    }

    /// <param name="store">Where the raw object is read and the CSV and quality object are written.</param>
    /// <param name="spoolMemory">Bytes of encoded rows kept in memory before the rest go to a temporary file.</param>
    internal TransformStep(IObjectStore store, long spoolMemory)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _spoolMemory = spoolMemory;
    }

    public async Task<TransformOutput> RunAsync(TransformInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrWhiteSpace(input.RawKey))
        {
            throw new PipelineException(ErrorNames.InvalidInput, "transform input has no raw_key");
        }

        var rawKey = input.RawKey;
        using var transformer = new SnapshotTransformer(_spoolMemory);
        RawSnapshotHeader header;
        await using (var raw = await _store.OpenReadAsync(rawKey, cancellationToken))
        {
            header = await RawSnapshotReader.ReadAsync(raw, rawKey, transformer, cancellationToken);
        }

        // The reader checked the key against the metadata's fetch time (RawSnapshotReader).
        var snapshot = header.Snapshot;
        // A new name for every write: Snowpipe would never load a re-written name (ObjectKeys).
        var csvKey = snapshot.CsvKey(ObjectKeys.NewWriteId());
        await _store.PutAsync(csvKey, ContentTypes.Csv, (destination, ct) => transformer.WriteCsvAsync(header, destination, ct), cancellationToken);

        var report = Report(rawKey, csvKey, header, transformer);
        await _store.PutAsync(
            snapshot.QualityKey,
            ContentTypes.Json,
            (destination, ct) => JsonSerializer.SerializeAsync(destination, report, QualityJsonContext.Default.QualityReport, ct),
            cancellationToken);

        return new TransformOutput
        {
            FetchTime = snapshot.FetchTime,
            CsvKey = csvKey,
            QualityKey = snapshot.QualityKey,
            Rows = transformer.Kept,
            Rejected = transformer.Rejected,
        };
    }

    private static QualityReport Report(string rawKey, string csvKey, RawSnapshotHeader header, SnapshotTransformer analysis)
    {
        var checks = new List<QualityCheck> { DominanceCheck(analysis.Dominance), GlobalCheck(header, analysis) };
        for (var i = 0; i < SnapshotTransformer.NonNegativeChecks.Length; i++)
        {
            var (name, columns) = SnapshotTransformer.NonNegativeChecks[i];
            var negatives = analysis.Negatives[i];
            var covered = string.Join(", ", columns.Select(SnapshotColumns.ColumnName));
            checks.Add(new QualityCheck(
                name,
                negatives.Count == 0,
                negatives.Count == 0 ? $"no negative {covered}" : $"{negatives.Count} negative values in {covered}",
                negatives.Count == 0 ? null : negatives));
        }

        checks.Add(ListCheck("market_cap_rank_unique", analysis.DuplicateRanks,
            "every market_cap_rank is unique", "rows repeat an earlier row's market_cap_rank"));
        checks.Add(ListCheck("timestamps_readable", analysis.UnreadableTimestamps,
            "every timestamp reads as an instant", "timestamps are no ISO 8601 instant: null in the CSV, as sent in the raw object"));

        return new QualityReport
        {
            RawKey = rawKey,
            CsvKey = csvKey,
            FetchTime = header.Snapshot.Iso,
            VsCurrency = header.VsCurrency,
            SourceComplete = header.Complete,
            CoinsFetched = analysis.Coins,
            RowsKept = analysis.Kept,
            RowsRejected = analysis.Rejected,
            Rejected = analysis.RejectedByReason.ToDictionary(r => r.Key, r => new RejectedGroup(r.Value.Count, r.Value)),
            DuplicatesDropped = analysis.DuplicateIds.Count,
            DuplicateIds = analysis.DuplicateIds,
            NullsPerColumn = CryptoSchema.Columns.Select((c, i) => (c.Name, analysis.Nulls[i])).ToDictionary(),
            Sums = new QualitySums(
                analysis.MarketCaps.Count > 0 ? analysis.MarketCaps.Value : null,
                analysis.Volumes.Count > 0 ? analysis.Volumes.Value : null,
                header.GlobalTotalMarketCap),
            Checks = checks,
            Warnings = checks.Count(c => !c.Passed),
        };
    }

    /// <summary>A check that passes when <paramref name="found"/> is empty, else lists it: "N <paramref name="failed"/>".</summary>
    private static QualityCheck ListCheck(string name, IReadOnlyList<string> found, string passed, string failed) =>
        found.Count == 0 ? new QualityCheck(name, true, passed) : new QualityCheck(name, false, $"{found.Count} {failed}", found);

    private static QualityCheck DominanceCheck(CompensatedSum dominance)
    {
        const string Name = "dominance_sums_to_100";
        if (dominance.Count == 0)
        {
            return new QualityCheck(Name, true, "no row has a dominance_percentage");
        }

        var sum = dominance.Value;
        var passed = Math.Abs(sum - 100) <= DominanceTolerance;
        return new QualityCheck(Name, passed, string.Create(
            CultureInfo.InvariantCulture,
            $"dominance_percentage sums to {sum:R} over {dominance.Count} rows ({(passed ? "within" : "outside")} {DominanceTolerance:R} of 100)"));
    }

    private static QualityCheck GlobalCheck(RawSnapshotHeader header, SnapshotTransformer analysis)
    {
        const string Name = "global_total_market_cap_usable";
        if (header.GlobalProblem is not null)
        {
            return new QualityCheck(Name, false, $"{header.GlobalProblem}: global_dominance_percentage is null in every row");
        }

        return analysis.GlobalTotalTooSmall(header.GlobalTotalMarketCap)
            ? new QualityCheck(Name, false, string.Create(
                CultureInfo.InvariantCulture,
                $"global total_market_cap.{header.VsCurrency} is {header.GlobalTotalMarketCap:R} but the coins loaded add up to {analysis.MarketCaps.Value:R}: /global is from another moment, so global_dominance_percentage is null in every row"))
            : new QualityCheck(Name, true, string.Create(
                CultureInfo.InvariantCulture, $"global total_market_cap.{header.VsCurrency} is {header.GlobalTotalMarketCap:R}"));
    }
}
