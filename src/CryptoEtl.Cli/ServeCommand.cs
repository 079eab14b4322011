using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.Report;
using CryptoEtl.Server;
using CryptoEtl.StateMachine;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl serve`: the Step Functions API and the web console on loopback, running executions
/// of the embedded state machine with the same composition `run` uses (<see cref="LocalPipeline"/>).
/// </summary>
public static class ServeCommand
{
    /// <summary>The state machine's name here, and the runner's $$.StateMachine.Name.</summary>
    public const string StateMachineName = "crypto_etl";

    public const string Name = "serve";

    public static Command Create(CliConsole console)
    {
        var options = new PipelineOptions();
        var host = new Option<string>("--host") { Description = "Address to listen on (loopback only unless --allow-remote)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 8083 };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Listen on a non-loopback --host: the API and console check no credential" };
        var command = new Command(Name, "Serve the Step Functions API (for `aws stepfunctions --endpoint-url`) and the web console at http://127.0.0.1:8083/")
        {
            host, port, allowRemote,
        };
        options.AddTo(command, withCoinGecko: true, withWarehouse: true);
        command.SetAction(async (parsed, ct) =>
        {
            var serverOptions = new ConsoleServerOptions { Host = parsed.GetValue(host)!, Port = parsed.GetValue(port), AllowRemote = parsed.GetValue(allowRemote) };
            await using var server = await StartAsync(options.Read(parsed), serverOptions, console, ct);
            console.Display.MarkupLine($"[bold]CryptoEtl[/] console at [link]{server.Address}[/] (Ctrl+C stops it)");
            console.Display.MarkupLine($"state machine: {StateMachineArn()}; executions run one at a time");
            // As `schedule`: the first SIGINT/SIGTERM stops serving and lets the running execution
            // finish (the queued ones are kept for the next start); a second cancels it.
            using var stop = new CancellationTokenSource();
            using var abandon = new CancellationTokenSource();
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                if (stop.IsCancellationRequested)
                {
                    abandon.Cancel();
                }

                stop.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(ct, stop.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, stopped.Token);
            }
            catch (OperationCanceledException)
            {
                // Signalled: stop serving, cleanly.
            }

            if (server.Executions.RunningNow is { } running)
            {
                console.Display.MarkupLine($"stopping: execution {Markup.Escape(running)} finishes first (a second Ctrl+C stops it); queued executions run at the next start");
            }

            await server.ShutdownAsync(abandon.Token);
            return 0;
        });
        return command;
    }

    /// <summary>Composes the pipeline as `run` does and starts the server over it; disposing the server disposes both.</summary>
    public static async Task<ConsoleServer> StartAsync(PipelineSettings settings, ConsoleServerOptions serverOptions, CliConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var extractStatus = new ExtractStatus(TimeProvider.System);
        var pipeline = new LocalPipeline(settings, console.GetEnvironment, extractStatus);
        try
        {
            if (pipeline.Warehouse is DuckDbWarehouse duckDb)
            {
                await PrepareAsync(duckDb, console, ct);
            }

            var created = new DateTimeOffset(File.GetLastWriteTimeUtc(Environment.ProcessPath ?? AppContext.BaseDirectory), TimeSpan.Zero);
            return await ConsoleServer.StartAsync(serverOptions, StateMachines(created), new PipelineHost(pipeline, extractStatus, console), settings.DataDir, TimeProvider.System, console.Error, ct);
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }

    /// <summary>The warehouse's table and views before the first page reads them; a lock held elsewhere leaves that to the first load.</summary>
    private static async Task PrepareAsync(DuckDbWarehouse duckDb, CliConsole console, CancellationToken ct)
    {
        try
        {
            await duckDb.PrepareAsync(ct);
        }
        catch (PipelineException ex) when (ex.ErrorName == ErrorNames.WarehouseUnavailable)
        {
            await console.Error.WriteLineAsync($"cryptoetl serve: {ex.ErrorName}: {CryptoEtlApp.OneLine(ex.Message)}; the report shows nothing until the first load");
        }
    }

    /// <summary>
    /// The state machines served, over the same three functions (each tells a backfill's inputs from a
    /// snapshot's by their top-level key). The backfill's input is checked by its SelectCoins step, which
    /// refuses a field it does not know, not up front: the ETL's check would refuse "days".
    /// </summary>
    public static IReadOnlyList<LocalStateMachine> StateMachines(DateTimeOffset created) =>
    [
        new(EmbeddedStateMachine.Text(), StateMachineName, created),
        new(EmbeddedStateMachine.Text(BackfillStateMachineName), BackfillStateMachineName, created)
        {
            CheckInput = _ => null,
            DefaultInput = """{"days": 365, "top": 100}""",
        },
    ];

    public const string BackfillStateMachineName = "crypto_backfill";

    public static string StateMachineArn() => LocalArns.StateMachine(StateMachineName);

    /// <summary>The server's view of the composed pipeline; alerts go to the terminal as in `run`.</summary>
    private sealed class PipelineHost(LocalPipeline pipeline, ExtractStatus extractStatus, CliConsole console) : IPipelineHost, IAlertSink, IDisposable
    {
        public string? ExtractProgress(DateTimeOffset since) => extractStatus.Since(since);

        public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions => pipeline.Functions;

        public IAlertSink Alerts => this;

        public string? CheckInput(JsonNode? input)
        {
            try
            {
                StepInputJson.Parse(input, ContractsJsonContext.Default.ExtractInput, "the execution input");
                return null;
            }
            catch (PipelineException ex)
            {
                return ex.Message;
            }
        }

        public async Task<ReportData> BuildReportAsync(CancellationToken cancellationToken)
        {
            if (pipeline.Warehouse is not DuckDbWarehouse duckDb || !File.Exists(duckDb.DatabasePath))
            {
                // Nothing loads the local file here (Snowflake), or there is none yet (the report says so).
                return await MarketReport.BuildAsync(pipeline.Settings.DatabasePath, pipeline.Store, cancellationToken);
            }

            // On the loads' own DuckDB instance: a reader never makes a load fail.
            await using var connection = await duckDb.OpenReaderAsync(cancellationToken);
            return await MarketReport.BuildAsync(connection, duckDb.DatabasePath, pipeline.Store, cancellationToken);
        }

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            console.Display.MarkupLine($"[red]alert[/] {Markup.Escape(alert.Subject ?? "")}: {Markup.Escape(alert.Message)}");
            return Task.CompletedTask;
        }

        public void Dispose() => pipeline.Dispose();
    }
}
