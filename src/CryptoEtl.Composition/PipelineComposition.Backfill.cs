using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Core.Steps;

namespace CryptoEtl.Composition;

public sealed partial class PipelineComposition
{
    /// <summary>The backfill's Extract side, through <paramref name="extract"/>'s client: one pacer for every CoinGecko call of the host.</summary>
    public BackfillExtract Backfill(ExtractStep extract)
    {
        ArgumentNullException.ThrowIfNull(extract);
        var history = extract.Source as ICoinHistorySource
            ?? throw new PipelineException(ErrorNames.Configuration, "this market source serves no coin history (market_chart)");
        return new BackfillExtract(history, Store, Time);
    }

    public HistoryTransform HistoryTransform() => new(Store);

    /// <summary>
    /// The Extract function's contracts: {"backfill": {...}} selects a backfill's coins,
    /// {"backfill_coin": {...}} fetches one coin's history, anything else is a snapshot extract.
    /// </summary>
    public static StepRoutes ExtractRoutes(ExtractStep extract, BackfillExtract backfill, DateTimeOffset? stopFetchingAt)
    {
        ArgumentNullException.ThrowIfNull(extract);
        ArgumentNullException.ThrowIfNull(backfill);
        return new StepRoutes()
            .Wrapped("backfill", BackfillJsonContext.Default.BackfillRequest, BackfillJsonContext.Default.BackfillSelection, backfill.SelectAsync)
            .Wrapped("backfill_coin", BackfillJsonContext.Default.BackfillCoinInput, BackfillJsonContext.Default.BackfillCoinOutput, backfill.FetchCoinAsync)
            .Otherwise(ContractsJsonContext.Default.ExtractInput, ContractsJsonContext.Default.ExtractOutput,
                (input, ct) => extract.RunAsync(input, stopFetchingAt, ct));
    }

    /// <summary>The Transform function's contracts: {"backfill_id"} is a backfill's history, anything else a snapshot's raw_key.</summary>
    public static StepRoutes TransformRoutes(TransformStep transform, HistoryTransform history)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(history);
        return new StepRoutes()
            .Marked("backfill_id", BackfillJsonContext.Default.HistoryTransformInput, BackfillJsonContext.Default.HistoryTransformOutput, history.RunAsync)
            .Otherwise(ContractsJsonContext.Default.TransformInput, ContractsJsonContext.Default.TransformOutput, transform.RunAsync);
    }

    /// <summary>The Load function's contracts: {"history_csv_key", "expected_rows"} is a backfill's CSV, anything else a snapshot's.</summary>
    public static StepRoutes LoadRoutes(LoadStep load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return new StepRoutes()
            .Marked("history_csv_key", BackfillJsonContext.Default.HistoryLoadInput, BackfillJsonContext.Default.HistoryLoadOutput, load.RunHistoryAsync)
            .Otherwise(ContractsJsonContext.Default.LoadInput, ContractsJsonContext.Default.LoadOutput, load.RunAsync);
    }
}
