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
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrWhiteSpace(input.CsvKey))
        {
            throw new PipelineException(ErrorNames.InvalidInput, "load input has no csv_key");
        }

        if (input.ExpectedRows < 0)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"expected_rows must not be negative, got {input.ExpectedRows}");
        }

        // The fetch time has one source, the input's fetch_time (Transform's, from the raw object's
        // metadata); csv_key only names that snapshot's CSV, so a key of another time is refused.
        var fetchTime = ObjectKeys.Normalize(input.FetchTime);
        if (!ObjectKeys.IsCsvOf(input.CsvKey, fetchTime))
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"load input's csv_key {input.CsvKey} is not a CSV of its fetch_time {ObjectKeys.Iso(fetchTime)} ({ObjectKeys.CsvStem(fetchTime)}_<write id>.csv)");
        }

        await using var lease = await StepLease.AcquireAsync(store, "load", time ?? TimeProvider.System, ct);

        // Everything that can be checked without the warehouse is checked before touching it. The
        // check is the one read of the CSV through the store: a warehouse that reads files gets the
        // store's own file when it is local, else the copy this pass wrote; Snowflake reads its stage.
        var inPlace = warehouse.ReadsLocalFile ? store.LocalPathOf(input.CsvKey) : null;
        var staged = warehouse.ReadsLocalFile && inPlace is null
            ? Path.Combine(Path.GetTempPath(), $"cryptoetl-load-{Guid.NewGuid():N}.csv")
            : null;
        try
        {
            int records;
            await using (var csv = await store.OpenReadAsync(input.CsvKey, ct))
            await using (var copy = staged is null ? null : File.Create(staged))
            {
                records = await CsvShape.CheckAsync(csv, input.CsvKey, ct, copy);
            }

            if (records != input.ExpectedRows)
            {
                throw new PipelineException(
                    ErrorNames.RowCountMismatch,
                    $"{input.CsvKey} has {records} rows, the transform reported {input.ExpectedRows}");
            }

            var loaded = await warehouse.LoadSnapshotAsync(new SnapshotCsv(input.CsvKey, fetchTime, input.ExpectedRows, inPlace ?? staged), ct);
            if (loaded != input.ExpectedRows)
            {
                throw new PipelineException(
                    ErrorNames.RowCountMismatch,
                    $"{warehouse.Table} loaded {loaded} rows from {input.CsvKey}, the transform wrote {input.ExpectedRows}");
            }

            return new LoadOutput { FetchTime = fetchTime, Table = warehouse.Table, RowsLoaded = loaded };
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
