using CryptoEtl.Core.Csv;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// Load: checks the CSV against the schema and the transform's row count, then hands it to the
/// warehouse, which replaces that fetch_time's rows in one transaction.
/// </summary>
/// <param name="store">Where the CSV is.</param>
/// <param name="warehouse">Where its rows go.</param>
/// <param name="time">The clock of the step's lease (<see cref="StepLease"/>); null is the system clock.</param>
public sealed partial class LoadStep(IObjectStore store, IWarehouse warehouse, TimeProvider? time = null)
{
    public async Task<LoadOutput> RunAsync(LoadInput input, CancellationToken ct)
    {
        // The fetch time has one source, the input's fetch_time (Transform's, from the raw object's
        // metadata); csv_key only names that snapshot's CSV, so a key of another time is refused.
        var snapshot = SnapshotCsv.Of(input);
        await using var lease = await StepLease.AcquireAsync(store, "load", time ?? TimeProvider.System, ct);
        var loaded = await CheckAndLoadAsync(input.CsvKey, input.ExpectedRows,
            (localPath, token) => warehouse.LoadSnapshotAsync(snapshot with { LocalPath = localPath }, token), ct);
        return new LoadOutput { FetchTime = snapshot.FetchTime, Table = warehouse.Table, RowsLoaded = loaded };
    }

    /// <summary>
    /// Checks the CSV's shape and row count, then has <paramref name="load"/> load it (given the
    /// local file a file-reading warehouse needs) and checks the count it loaded.
    /// </summary>
    private async Task<int> CheckAndLoadAsync(string csvKey, int expectedRows, Func<string?, CancellationToken, Task<int>> load, CancellationToken ct)
    {
        // Everything that can be checked without the warehouse is checked before touching it. The
        // check is the one read of the CSV through the store: a warehouse that reads files gets the
        // store's own file when it is local, else the copy this pass wrote; Snowflake reads its stage.
        var inPlace = warehouse.ReadsLocalFile ? store.LocalPathOf(csvKey) : null;
        var staged = warehouse.ReadsLocalFile && inPlace is null
            ? Path.Combine(Path.GetTempPath(), $"cryptoetl-load-{Guid.NewGuid():N}.csv")
            : null;
        try
        {
            int records;
            await using (var csv = await store.OpenReadAsync(csvKey, ct))
            await using (var copy = staged is null ? null : File.Create(staged))
            {
                records = await CsvShape.CheckAsync(csv, csvKey, ct, copy);
            }

            if (records != expectedRows)
            {
                throw new PipelineException(
                    ErrorNames.RowCountMismatch,
                    $"{csvKey} has {records} rows, the transform reported {expectedRows}");
            }

            var loaded = await load(inPlace ?? staged, ct);
            if (loaded != expectedRows)
            {
                throw new PipelineException(
                    ErrorNames.RowCountMismatch,
                    $"{warehouse.Table} loaded {loaded} rows from {csvKey}, the transform wrote {expectedRows}");
            }

            return loaded;
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
