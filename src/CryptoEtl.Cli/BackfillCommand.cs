using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Cli.Budget;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl backfill --days N --top K [--vs-currency CUR] [--coin-ids a,b]`: a year (or less) of
/// history per coin from CoinGecko's market_chart, into the same warehouse as the snapshots.
/// Checks the plan against the key's tier first, then drives the backfill's steps through the
/// composed functions with the very inputs the state machine gives them (<see cref="RunStepsAsync"/>).
/// Resumable: a stored history is reused, so a killed backfill goes on with the next coin.
/// </summary>
public static class BackfillCommand
{
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var options = new PipelineOptions();
        var days = new Option<int>("--days") { Description = $"Days of history, 1 to 365 on a keyless or Demo key (default {BackfillExtract.DefaultDays}; above 90 days daily points, else hourly)", DefaultValueFactory = _ => BackfillExtract.DefaultDays };
        var top = new Option<int?>("--top") { Description = $"The top K coins by market cap of the newest snapshot (or of CoinGecko's markets now, without one; default {BackfillExtract.DefaultTop})" };
        var coinIds = new Option<string?>("--coin-ids") { Description = "CoinGecko coin ids, comma-separated, instead of --top" };
        var vsCurrency = new Option<string?>("--vs-currency") { Description = "Quote currency (default usd)" };
        var command = new Command("backfill", "Fetch each coin's history (CoinGecko market_chart) and load it beside the snapshots, paced and resumable (docs/backfill.md)")
        {
            days, top, coinIds, vsCurrency,
        };
        options.AddTo(command, withCoinGecko: true, withWarehouse: true);
        command.SetAction(async (parsed, ct) =>
        {
            var settings = options.Read(parsed);
            if (settings.Offline)
            {
                throw new PipelineException(ErrorNames.InvalidInput, "backfill has no recording to replay: drop --offline (or point --coingecko-url at a stand-in)");
            }

            var ids = parsed.GetValue(coinIds) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : null;
            var request = new BackfillRequest
            {
                Days = parsed.GetValue(days),
                Top = ids is null ? parsed.GetValue(top) ?? BackfillExtract.DefaultTop : parsed.GetValue(top),
                CoinIds = ids,
                VsCurrency = parsed.GetValue(vsCurrency),
            };
            var display = console.Display;
            using var progress = new ExtractProgressView(display, TimeProvider.System);
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment, progress, new RetryLines(display.Profile.Out.Writer));

            // The plan comes first: a backfill that does not fit the key is refused before any call.
            var budget = new BackfillBudget(request.Days!.Value, ids?.Length ?? request.Top ?? BackfillExtract.DefaultTop, KeyTier.Parse(pipeline.Backfill.TierName), 0);
            display.MarkupLine($"[bold]CryptoEtl[/] backfill (data provided by CoinGecko): {Markup.Escape(budget.Describe())}");
            if (budget.Problem is { } problem)
            {
                throw new PipelineException(ErrorNames.InvalidInput, problem);
            }

            var result = await RunStepsAsync(pipeline, request, (done, count, coin) =>
                display.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"  backfill  {done}/{count} {coin.CoinId}: {coin.Points} points, {(coin.Reused ? "stored already" : "fetched")}"))), ct);
            display.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"backfill {result.Selection.BackfillId}: {result.Selection.CoinIds.Count} coins, {result.Transform.Rows} rows in {result.Transform.CsvKey}, "
                + $"{result.Load.RowsLoaded} loaded into {pipeline.WarehouseDescription} (buckets a snapshot covers keep the snapshot's)")));
            if (pipeline.LocalDatabasePath is not null)
            {
                display.MarkupLine($"report: [link]{Markup.Escape(await ReportCommand.WriteAsync(pipeline, null, ct))}[/]");
            }

            return 0;
        });
        return command;
    }

    public sealed record Outcome(BackfillSelection Selection, HistoryTransformOutput Transform, HistoryLoadOutput Load);

    /// <summary>
    /// The backfill's steps in the state machine's order, through the composed functions and with
    /// its inputs: SelectCoins, then FetchCoinHistory per coin (one at a time: the key's limit is
    /// per key; the client's pacer spaces the calls), TransformHistory, LoadHistory.
    /// </summary>
    public static async Task<Outcome> RunStepsAsync(LocalPipeline pipeline, BackfillRequest request, Action<int, int, BackfillCoinOutput> onCoin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(onCoin);
        var functions = pipeline.Functions;
        var json = BackfillJsonContext.Default;
        var selection = Read(await functions["ExtractFunctionArn"](
            new JsonObject { ["backfill"] = JsonSerializer.SerializeToNode(request, json.BackfillRequest) }, ct), json.BackfillSelection);
        var done = 0;
        foreach (var coinId in selection.CoinIds)
        {
            var coin = Read(await functions["ExtractFunctionArn"](
                new JsonObject { ["backfill_coin"] = new JsonObject { ["backfill_id"] = selection.BackfillId, ["coin_id"] = coinId } }, ct), json.BackfillCoinOutput);
            onCoin(++done, selection.CoinIds.Count, coin);
        }

        var transform = Read(await functions["TransformFunctionArn"](new JsonObject { ["backfill_id"] = selection.BackfillId }, ct), json.HistoryTransformOutput);
        var load = Read(await functions["LoadFunctionArn"](
            new JsonObject { ["history_csv_key"] = transform.CsvKey, ["expected_rows"] = transform.Rows }, ct), json.HistoryLoadOutput);
        return new Outcome(selection, transform, load);
    }

    private static T Read<T>(JsonNode? output, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        StepInputJson.Parse(output, type, "the step's output");
}
