using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Cli.Budget;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.StateMachine;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl backfill --days N --top K [--vs-currency CUR] [--coin-ids a,b]`: a year (or less) of
/// history per coin from CoinGecko's market_chart, into the same warehouse as the snapshots.
/// Checks the plan against the key's tier first, then runs statemachine/crypto_backfill.asl.json
/// with the local runner and the composed functions, as `run` does the pipeline's (<see cref="RunAsync"/>).
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

            var result = await RunAsync(pipeline, request, (done, count, coin) =>
                display.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"  backfill  {done}/{count} {coin.CoinId}: {coin.Points} points, {(coin.Reused ? "stored already" : "fetched")}"))), ct);
            if (!result.Succeeded)
            {
                // The execution's error is the step's own name (the ASL's Fail state), so the exit code is the step's.
                throw result.Status == ExecutionStatus.TimedOut
                    ? new PipelineException("States.Timeout", "the backfill ran past the state machine's TimeoutSeconds")
                    : new PipelineException(result.Error!, RunCommand.CauseMessage(result.Cause));
            }

            await WriteSummaryAsync(display, pipeline, result.Output!, ct);
            return 0;
        });
        return command;
    }

    /// <summary>The backfill's line (its id, coins, rows and where they went) and, with a local warehouse, the report.</summary>
    private static async Task WriteSummaryAsync(IAnsiConsole display, LocalPipeline pipeline, JsonNode output, CancellationToken ct)
    {
        display.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"backfill {output["plan"]!["backfill_id"]}: {output["plan"]!["coin_ids"]!.AsArray().Count} coins, {output["transform"]!["rows"]} rows in {output["transform"]!["csv_key"]}, "
            + $"{output["load"]!["rows_loaded"]} loaded into {pipeline.WarehouseDescription} (buckets a snapshot covers keep the snapshot's)")));
        if (pipeline.LocalDatabasePath is not null)
        {
            display.MarkupLine($"report: [link]{Markup.Escape(await ReportCommand.WriteAsync(pipeline, null, ct))}[/]");
        }
    }

    /// <summary>
    /// Runs crypto_backfill.asl.json with the local runner over the composed functions, telling
    /// <paramref name="onCoin"/> of each coin as its FetchCoinHistory returns. The Pace wait really
    /// waits (pause_seconds, 0 at a stand-in's pace).
    /// </summary>
    public static async Task<ExecutionResult> RunAsync(LocalPipeline pipeline, BackfillRequest request, Action<int, int, BackfillCoinOutput> onCoin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onCoin);
        var functions = new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>(pipeline.Functions);
        var extract = functions["ExtractFunctionArn"];
        var json = BackfillJsonContext.Default;
        var (done, count) = (0, 0);
        functions["ExtractFunctionArn"] = async (payload, token) =>
        {
            var output = await extract(payload, token);
            if (payload?["backfill"] is not null)
            {
                count = Read(output, json.BackfillSelection).CoinIds.Count;
            }
            else if (payload?["backfill_coin"] is not null)
            {
                onCoin(++done, count, Read(output, json.BackfillCoinOutput));
            }

            return output;
        };
        var runner = new StateMachineRunner(StateMachineDefinition.Parse(EmbeddedStateMachine.Text(ServeCommand.BackfillStateMachineName)), functions, new ScheduleCommand.DiscardedAlerts(),
            new StateMachineRunnerOptions { StateMachineName = ServeCommand.BackfillStateMachineName });
        return await runner.RunAsync(ExecutionInput(request), $"local-{Guid.NewGuid():N}", ct);
    }

    /// <summary>
    /// The state machine's input. Its Defaults state gives top 100, which Extract refuses beside
    /// coin_ids; an explicit "top": null wins the shallow merge, so given ids go through unchanged.
    /// </summary>
    internal static JsonObject ExecutionInput(BackfillRequest request)
    {
        var input = (JsonObject)JsonSerializer.SerializeToNode(request, BackfillJsonContext.Default.BackfillRequest)!;
        if (request.CoinIds is not null && request.Top is null)
        {
            input["top"] = null;
        }

        return input;
    }

    private static T Read<T>(JsonNode? output, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        StepInputJson.Parse(output, type, "the step's output");
}
