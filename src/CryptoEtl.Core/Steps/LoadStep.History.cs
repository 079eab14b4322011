using CryptoEtl.Core.Backfill;

namespace CryptoEtl.Core.Steps;

public sealed partial class LoadStep
{
    /// <summary>
    /// Loads a backfill's history CSV: the same checks as a snapshot's, then the warehouse replaces
    /// the backfilled rows of the buckets it covers (<see cref="IWarehouse.LoadHistoryAsync"/>), so a re-run adds nothing.
    /// The rows it loads may be fewer than the CSV's: buckets a snapshot already covers stay the snapshot's.
    /// </summary>
    public async Task<HistoryLoadOutput> RunHistoryAsync(HistoryLoadInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var backfillId = BackfillKeys.IdOfCsv(input.HistoryCsvKey);
        if (input.ExpectedRows < 0)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"expected_rows must not be negative, got {input.ExpectedRows}");
        }

        await using var lease = await StepLease.AcquireAsync(store, "load", time ?? TimeProvider.System, ct);
        var loaded = 0;
        await CheckAndLoadAsync(input.HistoryCsvKey, input.ExpectedRows, async (localPath, token) =>
        {
            loaded = await warehouse.LoadHistoryAsync(new HistoryCsv(input.HistoryCsvKey, backfillId, input.ExpectedRows, localPath), token);
            return input.ExpectedRows;
        }, ct);
        return new HistoryLoadOutput { Table = warehouse.Table, RowsLoaded = loaded };
    }
}
