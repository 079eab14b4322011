namespace CryptoEtl.Core.Transform;

/// <summary>
/// The data-quality object Transform writes next to the CSV (ObjectKeys.Quality). Checks warn;
/// they never fail the run.
/// </summary>
public sealed record QualityReport
{
    public required string RawKey { get; init; }

    public required string CsvKey { get; init; }

    /// <summary>ISO 8601 UTC, as in the CSV.</summary>
    public required string FetchTime { get; init; }

    public required string VsCurrency { get; init; }

    /// <summary>The raw object's metadata.complete: false when Extract stopped before the end of the market.</summary>
    public bool? SourceComplete { get; init; }

    /// <summary>Page elements in the raw object, whatever became of them.</summary>
    public required int CoinsFetched { get; init; }

    public required int RowsKept { get; init; }

    public required int RowsRejected { get; init; }

    /// <summary>Per reason (missing_id, negative_current_price, ...), the coins rejected for it.</summary>
    public required IReadOnlyDictionary<string, RejectedGroup> Rejected { get; init; }

    public required int DuplicatesDropped { get; init; }

    /// <summary>Ids seen again after their first (kept) sighting, one entry per dropped row.</summary>
    public required IReadOnlyList<string> DuplicateIds { get; init; }

    /// <summary>Empty CSV fields per column, in CSV column order.</summary>
    public required IReadOnlyDictionary<string, int> NullsPerColumn { get; init; }

    public required QualitySums Sums { get; init; }

    public required IReadOnlyList<QualityCheck> Checks { get; init; }

    /// <summary>How many checks did not pass.</summary>
    public required int Warnings { get; init; }
}

