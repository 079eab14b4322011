using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Report;
using CryptoEtl.StateMachine;
using DuckDB.NET.Data;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl run`: executes statemachine/crypto_etl.asl.json with the local runner, the three
/// steps in process, printing each state like the console's execution view, then a summary.
/// </summary>
public static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var options = new PipelineOptions();
        var input = PipelineOptions.Input("The execution input JSON, as given to Step Functions, e.g. '{\"pages\":3,\"vs_currency\":\"eur\"}'; '-' reads stdin");
        var pages = new Option<string?>("--pages") { Description = $"Pages of /coins/markets to fetch: a number (default {PageCount.DefaultPages}) or 'all'" };
        var perPage = new Option<int?>("--per-page") { Description = "Coins per page, 1 to 250 (default 250)" };
        var vsCurrency = new Option<string?>("--vs-currency") { Description = "Quote currency (default usd)" };
        var force = new Option<bool>("--force") { Description = "Replace a stored snapshot of the same fetch_time even when the new one has far fewer coins (docs/extract.md, the shrink rule)" };
        var command = new Command("run", "Run the whole pipeline locally through the state machine: Extract -> Transform -> Load")
        {
            pages, perPage, vsCurrency, force, input,
        };
        options.AddTo(command, withCoinGecko: true, withWarehouse: true);
        command.SetAction(async (parsed, ct) =>
        {
            // The execution input is Extract's input (the state machine passes its fields on), so
            // it goes through the same strict parser as `extract --input`: a misspelt field fails.
            var request = await ExecutionInputAsync(parsed.GetValue(input), ct);
            // Options win over --input; the state machine fills in the rest.
            request = request with
            {
                Pages = parsed.GetValue(pages) is { } p ? PageCount.Parse(p) : request.Pages,
                PerPage = parsed.GetValue(perPage) ?? request.PerPage,
                VsCurrency = parsed.GetValue(vsCurrency) ?? request.VsCurrency,
                Force = parsed.GetValue(force) ? true : request.Force,
            };
            return await RunAsync(console, options.Read(parsed), request, ct);
        });
        return command;
    }

    /// <summary>Runs the execution, then prints its summary and writes the report; 1 when the execution failed.</summary>
    private static async Task<int> RunAsync(CliConsole console, PipelineSettings settings, ExtractInput request, CancellationToken ct)
    {
        var display = console.Display;
        using var progress = new ExtractProgressView(display, TimeProvider.System);
        using var pipeline = new LocalPipeline(settings, console.GetEnvironment, progress, new RetryLines(display.Profile.Out.Writer));
        display.MarkupLine(settings.Offline
            ? "[bold]CryptoEtl[/] run, offline: the recorded market (data provided by CoinGecko)"
            : "[bold]CryptoEtl[/] run (data provided by CoinGecko)");
        var executionInput = ToExecutionInput(settings.Offline ? OfflineRequest(request, display) : request);

        var view = new ExecutionView(display);
        var runner = new StateMachineRunner(EmbeddedStateMachine.Load(), pipeline.Functions, view, new StateMachineRunnerOptions { OnEvent = view.Show });
        var result = await runner.RunAsync(executionInput, $"local-{Guid.NewGuid():N}", ct);
        if (!result.Succeeded)
        {
            await console.Error.WriteLineAsync(result.Status == ExecutionStatus.TimedOut
                ? "cryptoetl: States.Timeout: the execution ran past the state machine's TimeoutSeconds"
                : $"cryptoetl: {result.Error}: {CryptoEtlApp.OneLine(CauseMessage(result.Cause))}");
            return 1;
        }

        var loaded = $"{result.Output!["load"]!["rows_loaded"]} rows loaded into {pipeline.WarehouseDescription}";
        try
        {
            await WriteSummaryAsync(display, pipeline, result.Output!, ct);
            if (pipeline.LocalDatabasePath is null)
            {
                display.MarkupLine($"[green]{Markup.Escape(loaded)}[/]");
                // The report is built from the local DuckDB file, which a Snowflake run leaves as it was.
                display.MarkupLine("no HTML report: it reads the local DuckDB warehouse, which this run did not load");
                return 0;
            }

            var report = await ReportCommand.WriteAsync(pipeline, null, ct);
            display.MarkupLine($"report: [link]{Markup.Escape(report)}[/]");
        }
        catch (Exception ex) when (ex is PipelineException or DuckDBException or IOException or UnauthorizedAccessException)
        {
            // The rows are committed: a summary or report that cannot read the warehouse (a lock
            // held by a `query`, a full disk) does not undo that, so it is a warning and exit 0.
            var name = ex is PipelineException named ? named.ErrorName : ex.GetType().Name;
            display.MarkupLine($"[green]{Markup.Escape(loaded)}[/]");
            await console.Error.WriteLineAsync($"cryptoetl: warning: the load succeeded ({loaded}), but the summary or report failed: {name}: {CryptoEtlApp.OneLine(ex.Message)}; `cryptoetl report` writes the report later");
        }

        return 0;
    }

    /// <summary>
    /// An offline run is a snapshot of the recording's own moment (<see cref="RecordedMarket.RecordedAt"/>,
    /// unless the input names a fetch_time), so the report and the warehouse show when its prices were
    /// real, and a re-run replaces it. The recording holds one page of a far larger market: asking past
    /// it would be answered [] right after a full page, a doubtful end (see docs/extract.md), so
    /// offline runs ask only the recorded pages, and say so.
    /// </summary>
    internal static ExtractInput OfflineRequest(ExtractInput request, IAnsiConsole display)
    {
        request = request with { FetchTime = request.FetchTime ?? RecordedMarket.RecordedAt };
        var perPage = request.PerPage ?? ExtractStep.DefaultPerPage;
        var recorded = RecordedMarket.PagesFor(perPage);
        var asked = request.Pages ?? PageCount.Default;
        if (asked.Limit is { } limit && limit <= recorded)
        {
            return request;
        }

        display.MarkupLine($"offline: the recording holds {RecordedMarket.CoinCount} coins, {recorded} page(s) of {perPage}; asking {recorded}, not {asked}");
        return request with { Pages = PageCount.Of(recorded) };
    }

    /// <summary>
    /// The execution input is Extract's input (the state machine passes its fields on), so it goes
    /// through the same strict parser as `extract --input`: a misspelt field fails.
    /// </summary>
    internal static async Task<ExtractInput> ExecutionInputAsync(string? text, CancellationToken ct) =>
        await Commands.ReadInputAsync(text, ContractsJsonContext.Default.ExtractInput, ct) ?? new ExtractInput();

    internal static JsonObject ToExecutionInput(ExtractInput request) =>
        (JsonObject)JsonSerializer.SerializeToNode(request, ContractsJsonContext.Default.ExtractInput)!;

    /// <summary>
    /// A Lambda-style cause carries the step's message in errorMessage; show that. The state
    /// machine's Fail state words it "&lt;State&gt; failed: &lt;the step's error JSON&gt;".
    /// </summary>
    internal static string CauseMessage(string? cause)
    {
        if (string.IsNullOrEmpty(cause))
        {
            return "(no cause)";
        }

        var failedAt = cause.IndexOf(" failed: {", StringComparison.Ordinal);
        try
        {
            var message = JsonNode.Parse(failedAt < 0 ? cause : cause[(failedAt + " failed: ".Length)..])?["errorMessage"]?.GetValue<string>();
            return message is null ? cause : failedAt < 0 ? message : $"{message} (in {cause[..failedAt]})";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return cause;
        }
    }

    private static async Task WriteSummaryAsync(IAnsiConsole display, LocalPipeline pipeline, JsonNode output, CancellationToken ct)
    {
        var extract = output["extract"]!;
        var transform = output["transform"]!;
        var load = output["load"]!;
        var summary = new Table().AddColumn("").AddColumn("");
        summary.HideHeaders();
        summary.AddRow("fetch time", Markup.Escape(extract["fetch_time"]!.ToString()));
        summary.AddRow("pages", extract["pages"]!.ToString());
        summary.AddRow("coins", extract["coins"]!.ToString());
        summary.AddRow("rejected", transform["rejected"]!.ToString());
        var fetchTime = DateTimeOffset.Parse(load["fetch_time"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        if (await QualityObject.ReadAsync(pipeline.Store, transform["quality_key"]!.GetValue<string>(), ct) is { } quality)
        {
            foreach (var (reason, group) in quality.Rejected.OrderByDescending(r => r.Value.Count))
            {
                summary.AddRow($"  {Markup.Escape(reason)}", group.Count.ToString(CultureInfo.InvariantCulture));
            }

            summary.AddRow("duplicates dropped", quality.DuplicatesDropped.ToString(CultureInfo.InvariantCulture));
            foreach (var check in quality.Checks.Where(c => !c.Passed))
            {
                summary.AddRow("[yellow]warning[/]", Markup.Escape($"{check.Name}: {check.Detail}"));
            }
        }

        summary.AddRow("rows loaded", load["rows_loaded"]!.ToString());
        summary.AddRow("raw object", Markup.Escape(extract["raw_key"]!.ToString()));
        summary.AddRow("csv", Markup.Escape(transform["csv_key"]!.ToString()));
        summary.AddRow("warehouse", Markup.Escape(pipeline.WarehouseDescription));
        display.Write(summary);

        var table = new Table().Title("Top 10 by market dominance").AddColumns("#", "name", "symbol", "dominance %");
        foreach (var row in await pipeline.Reader.TopByDominanceAsync(fetchTime, 10, ct))
        {
            table.AddRow(row.Rank ?? "", Markup.Escape(row.Name ?? ""), Markup.Escape(row.Symbol ?? ""),
                row.Dominance?.ToString("0.00", CultureInfo.InvariantCulture) ?? "");
        }

        display.Write(table);
    }

    /// <summary>Prints the execution's events like the Step Functions console, and its alerts.</summary>
    private sealed class ExecutionView(IAnsiConsole display) : IAlertSink
    {
        private readonly Dictionary<string, DateTimeOffset> _entered = [];

        // A state whose failure a Catch handled still ends with StateSucceeded (the runner's
        // ...StateExited); the caught line has already said how it ended.
        private readonly HashSet<string> _caught = [];

        public void Show(ExecutionEvent e)
        {
            var state = Markup.Escape(e.StateName ?? "");
            switch (e.Type)
            {
                case ExecutionEventType.StateEntered:
                    _entered[e.StateName!] = e.Timestamp;
                    display.MarkupLine($"[grey]  entered  [/] {state}");
                    break;
                case ExecutionEventType.StateSucceeded when _caught.Remove(e.StateName!):
                    break;
                case ExecutionEventType.StateSucceeded:
                    display.MarkupLine($"[green]  succeeded[/] {state} [grey]({Took(e)} s)[/]");
                    break;
                case ExecutionEventType.StateRetried:
                    display.MarkupLine($"[yellow]  retry {e.Attempt}  [/] {state} in {e.Wait.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s after {Markup.Escape(e.Error ?? "")}");
                    break;
                case ExecutionEventType.StateFailed:
                    display.MarkupLine($"[red]  failed   [/] {state}: {Markup.Escape(e.Error ?? "")}");
                    break;
                case ExecutionEventType.StateCaught:
                    _caught.Add(e.StateName!);
                    display.MarkupLine($"[red]  failed   [/] {state} [grey]({Took(e)} s)[/]: {Markup.Escape(e.Error ?? "")}, caught -> {Markup.Escape(e.Next ?? "")}");
                    break;
                case ExecutionEventType.ExecutionSucceeded:
                    display.MarkupLine("[green bold]Execution succeeded[/]");
                    break;
                case ExecutionEventType.ExecutionFailed:
                    display.MarkupLine($"[red bold]Execution failed[/]: {Markup.Escape(e.Error ?? "")}");
                    break;
                case ExecutionEventType.ExecutionTimedOut:
                    display.MarkupLine("[red bold]Execution timed out[/] (the state machine's TimeoutSeconds)");
                    break;
                default:
                    break;
            }
        }

        private string Took(ExecutionEvent e) =>
            (_entered.TryGetValue(e.StateName!, out var at) ? (e.Timestamp - at).TotalSeconds : 0).ToString("0.00", CultureInfo.InvariantCulture);

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            // Locally the SNS topic is the console.
            display.MarkupLine($"[red]  alert    [/] {Markup.Escape(alert.Subject ?? "")}: {Markup.Escape(alert.Message)}");
            return Task.CompletedTask;
        }
    }
}
