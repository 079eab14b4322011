using CryptoEtl.Core.Csv;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// Load: checks the CSV against the schema and the transform's row count, then hands it to the
/// warehouse, which replaces that fetch_time's rows in one transaction.
/// </summary>
/// <param name="store">Where the CSV is.</param>
/// <param name="warehouse">Where its rows go.</param>
/// <param name="time">The clock of the step's lease (<see cref="StepLease"/>); null is the system clock.</param>
public sealed class LoadStep(IObjectStore store, IWarehouse warehouse, TimeProvider? time = null)
{
    public async Task<LoadOutput> RunAsync(LoadInput input, CancellationToken ct)
    {
        // The fetch time has one source, the input's fetch_time (Transform's, from the raw object's
        // metadata); csv_key only names that snapshot's CSV, so a key of another time is refused.
        var snapshot = SnapshotCsv.Of(input);
        await using var lease = await StepLease.AcquireAsync(store, "load", time ?? TimeProvider.System, ct);

        // Everything that can be checked without the warehouse is checked before touching it. The
        // check is the one read of the CSV through the store: a warehouse that reads files gets the
        // store's own file when it is local, else the copy this pass wrote; Snowflake reads its stage.
        var inPlace = warehouse.ReadsLocalFile ? store.LocalPathOf(snapshot.CsvKey) : null;
        var staged = warehouse.ReadsLocalFile && inPlace is null
            ? Path.Combine(Path.GetTempPath(), $"cryptoetl-load-{Guid.NewGuid():N}.csv")
            : null;
        try
        {
            int records;
            await using (var csv = await store.OpenReadAsync(snapshot.CsvKey, ct))
            await using (var copy = staged is null ? null : File.Create(staged))
            {
                records = await CsvShape.CheckAsync(csv, snapshot.CsvKey, ct, copy);
            }

            // The one check of the file against the transform's count. Each warehouse then commits
            // only with exactly ExpectedRows rows of the fetch time (IWarehouse), which is what it returns.
            if (records != snapshot.ExpectedRows)
            {
                throw new PipelineException(
                    ErrorNames.RowCountMismatch,
                    $"{snapshot.CsvKey} has {records} rows, the transform reported {snapshot.ExpectedRows}");
            }

            var loaded = await warehouse.LoadSnapshotAsync(snapshot with { LocalPath = inPlace ?? staged }, ct);
            return new LoadOutput { FetchTime = snapshot.FetchTime, Table = warehouse.Table, RowsLoaded = loaded };
        }
        finally
        {
            if (staged is not null)
            {
                File.Delete(staged);
            }
        }
    }
}
