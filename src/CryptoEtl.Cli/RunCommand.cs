using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.Report;
using CryptoEtl.Snowflake;
using CryptoEtl.StateMachine;
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
        var pages = new Option<string?>("--pages") { Description = "Pages of /coins/markets to fetch: a number (default 2) or 'all'" };
        var perPage = new Option<int?>("--per-page") { Description = "Coins per page, 1 to 250 (default 250)" };
        var vsCurrency = new Option<string?>("--vs-currency") { Description = "Quote currency (default usd)" };
        var command = new Command("run", "Run the whole pipeline locally through the state machine: Extract -> Transform -> Load")
        {
            pages, perPage, vsCurrency, input,
        };
        options.AddTo(command, withCoinGecko: true, withWarehouse: true);
        command.SetAction(async (parsed, ct) =>
        {
            var executionInput = await ExecutionInputAsync(parsed.GetValue(input), ct);
            // Options win over --input; the state machine fills in the rest.
            if (parsed.GetValue(pages) is { } p)
            {
                executionInput["pages"] = PageCount.Parse(p).Limit is { } n ? JsonValue.Create(n) : JsonValue.Create("all");
            }

            if (parsed.GetValue(perPage) is { } size)
            {
                executionInput["per_page"] = size;
            }

            if (parsed.GetValue(vsCurrency) is { } currency)
            {
                executionInput["vs_currency"] = currency;
            }

            var settings = options.Read(parsed);
            var display = console.Display;
            using var progress = new ExtractProgressView(display, TimeProvider.System);
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment, progress);
            display.MarkupLine(settings.Offline
                ? "[bold]CryptoEtl[/] run, offline: the recorded market (data provided by CoinGecko)"
                : "[bold]CryptoEtl[/] run (data provided by CoinGecko)");

            var view = new ExecutionView(display);
            var runner = new StateMachineRunner(EmbeddedStateMachine.Load(), pipeline.Functions, view, new StateMachineRunnerOptions { OnEvent = view.Show });
            var result = await runner.RunAsync(executionInput, $"local-{Guid.NewGuid():N}", ct);
            if (!result.Succeeded)
            {
                await console.Error.WriteLineAsync($"cryptoetl: {result.Error}: {CryptoEtlApp.OneLine(CauseMessage(result.Cause))}");
                return 1;
            }

            await WriteSummaryAsync(display, pipeline, result.Output!, ct);
            if (pipeline.Warehouse is SnowflakeWarehouse snowflake)
            {
                display.MarkupLine($"[green]{result.Output!["load"]!["rows_loaded"]} rows loaded into Snowflake {Markup.Escape(snowflake.Table)}[/]");
                // The report is built from the local DuckDB file, which a Snowflake run leaves as it was.
                display.MarkupLine("no HTML report: it reads the local DuckDB warehouse, which this run did not load");
                return 0;
            }

            var report = await ReportCommand.WriteAsync(pipeline, null, ct);
            display.MarkupLine($"report: [link]{Markup.Escape(report)}[/]");
            return 0;
        });
        return command;
    }

    private static async Task<JsonObject> ExecutionInputAsync(string? text, CancellationToken ct)
    {
        if (await PipelineOptions.InputTextAsync(text, ct) is not { } json)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new PipelineException(ErrorNames.InvalidInput, "--input must be a JSON object, e.g. '{\"pages\":3}'");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"--input is not JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A Lambda-style cause carries the step's message in errorMessage; show that.</summary>
    private static string CauseMessage(string? cause)
    {
        if (string.IsNullOrEmpty(cause))
        {
            return "(no cause)";
        }

        try
        {
            return JsonNode.Parse(cause)?["errorMessage"]?.GetValue<string>() ?? cause;
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
        if (await QualityObject.ReadAsync(pipeline.Store, fetchTime, ct) is { } quality)
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
        summary.AddRow("warehouse", Markup.Escape(pipeline.Warehouse is DuckDbWarehouse duckDb ? duckDb.DatabasePath : $"Snowflake {pipeline.Warehouse.Table}"));
        display.Write(summary);

        var table = new Table().Title("Top 10 by market dominance").AddColumns("#", "name", "symbol", "dominance %");
        foreach (var row in await TopByDominanceAsync(pipeline.Warehouse, fetchTime, ct))
        {
            table.AddRow(row.Rank ?? "", Markup.Escape(row.Name ?? ""), Markup.Escape(row.Symbol ?? ""),
                row.Dominance?.ToString("0.00", CultureInfo.InvariantCulture) ?? "");
        }

        display.Write(table);
    }

    /// <summary>The same query for either warehouse; only how the fetch time is given differs.</summary>
    private static async Task<IReadOnlyList<(string? Rank, string? Name, string? Symbol, double? Dominance)>> TopByDominanceAsync(
        IWarehouse warehouse, DateTimeOffset fetchTime, CancellationToken ct)
    {
        static string Sql(string table, string fetchTime) =>
            $"""
            SELECT market_cap_rank, name, symbol, dominance_percentage
            FROM {table}
            WHERE fetch_time = {fetchTime} AND dominance_percentage IS NOT NULL
            ORDER BY dominance_percentage DESC LIMIT 10
            """;

        switch (warehouse)
        {
            case SnowflakeWarehouse snowflake:
                // Snowflake's JSON result carries every value as a string.
                var result = await snowflake.QueryAsync(
                    new SqlRequest(Sql(snowflake.Table, "TO_TIMESTAMP_TZ(?)"), [SqlBinding.Text(ObjectKeys.Iso(fetchTime))]), ct);
                return [.. result.Rows.Select(r => (r[0], r[1], r[2],
                    double.TryParse(r[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null))];
            case DuckDbWarehouse duckDb:
                var top = await DuckDbQuery.RunAsync(duckDb.DatabasePath, Sql(CryptoSchema.TableName, $"TIMESTAMPTZ '{ObjectKeys.Iso(fetchTime)}'"), ct);
                return [.. top.Rows.Select(r => (QueryCommand.Format(r[0]), QueryCommand.Format(r[1]), QueryCommand.Format(r[2]), r[3] as double?))];
            default:
                return [];
        }
    }

    /// <summary>Prints the execution's events like the Step Functions console, and its alerts.</summary>
    private sealed class ExecutionView(IAnsiConsole display) : IAlertSink
    {
        private readonly Dictionary<string, DateTimeOffset> _entered = [];

        public void Show(ExecutionEvent e)
        {
            var state = Markup.Escape(e.StateName ?? "");
            switch (e.Type)
            {
                case ExecutionEventType.StateEntered:
                    _entered[e.StateName!] = e.Timestamp;
                    display.MarkupLine($"[grey]  entered  [/] {state}");
                    break;
                case ExecutionEventType.StateSucceeded:
                    var took = _entered.TryGetValue(e.StateName!, out var at) ? (e.Timestamp - at).TotalSeconds : 0;
                    display.MarkupLine($"[green]  succeeded[/] {state} [grey]({took.ToString("0.00", CultureInfo.InvariantCulture)} s)[/]");
                    break;
                case ExecutionEventType.StateRetried:
                    display.MarkupLine($"[yellow]  retry {e.Attempt}  [/] {state} in {e.Wait.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s after {Markup.Escape(e.Error ?? "")}");
                    break;
                case ExecutionEventType.StateFailed:
                    display.MarkupLine($"[red]  failed   [/] {state}: {Markup.Escape(e.Error ?? "")}");
                    break;
                case ExecutionEventType.StateCaught:
                    display.MarkupLine($"[red]  caught   [/] {state} -> {Markup.Escape(e.Next ?? "")}");
                    break;
                case ExecutionEventType.ExecutionSucceeded:
                    display.MarkupLine("[green bold]Execution succeeded[/]");
                    break;
                case ExecutionEventType.ExecutionFailed:
                    display.MarkupLine($"[red bold]Execution failed[/]: {Markup.Escape(e.Error ?? "")}");
                    break;
                default:
                    break;
            }
        }

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            // Locally the SNS topic is the console.
            display.MarkupLine($"[red]  alert    [/] {Markup.Escape(alert.Subject ?? "")}: {Markup.Escape(alert.Message)}");
            return Task.CompletedTask;
        }
    }
}
