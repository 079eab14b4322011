using CryptoEtl.Core.Backfill;

namespace CryptoEtl.Core;

/// <summary>
/// The warehouse (DuckDB locally, Snowflake in AWS). Loading a snapshot replaces the rows of its
/// fetch_time in one transaction, so a re-run never duplicates rows and a failure leaves none.
/// </summary>
public interface IWarehouse
{
    /// <summary>The fully qualified table the rows land in.</summary>
    string Table { get; }

    /// <summary>
    /// Loads the snapshot and returns the number of rows loaded, which is
    /// <see cref="SnapshotCsv.ExpectedRows"/>: any other count is a RowCountMismatch and commits nothing.
    /// </summary>
    Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Loads a backfill's rows marked with its id, replacing the backfilled rows of the buckets it
    /// covers and skipping the buckets a snapshot covers; returns the rows it holds now (docs/backfill.md).
    /// </summary>
    Task<int> LoadHistoryAsync(HistoryCsv history, CancellationToken cancellationToken) =>
        throw new PipelineException(ErrorNames.Configuration, $"{Table} does not load backfills ({history.CsvKey}); only DuckDB and Snowflake's COPY mode load them");

    /// <summary>
    /// True when the warehouse reads the CSV from a local file (DuckDB), so Load hands it one in
    /// <see cref="SnapshotCsv.LocalPath"/>; false when it reads from the store itself (Snowflake's stage).
    /// </summary>
    bool ReadsLocalFile => false;
}
