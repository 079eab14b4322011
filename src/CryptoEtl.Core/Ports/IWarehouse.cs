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
    /// True when the warehouse reads the CSV from a local file (DuckDB), so Load hands it one in
    /// <see cref="SnapshotCsv.LocalPath"/>; false when it reads from the store itself (Snowflake's stage).
    /// </summary>
    bool ReadsLocalFile => false;
}
