using System.CommandLine;
using System.Text.Json.Nodes;
using CryptoEtl.Core.CoinGecko;
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

    public static Command Create(CliConsole console)
    {
        var options = new PipelineOptions();
        var host = new Option<string>("--host") { Description = "Address to listen on (loopback only unless --allow-remote)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 8083 };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Listen on a non-loopback --host: the API and console check no credential" };
        var command = new Command("serve", "Serve the Step Functions API (for `aws stepfunctions --endpoint-url`) and the web console at http://127.0.0.1:8083/")
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
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, server.Stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop serving, cleanly.
            }

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
            var machine = new LocalStateMachine(EmbeddedStateMachine.Text(), StateMachineName, new DateTimeOffset(File.GetLastWriteTimeUtc(Environment.ProcessPath ?? AppContext.BaseDirectory), TimeSpan.Zero));
            return await ConsoleServer.StartAsync(serverOptions, machine, new PipelineHost(pipeline, extractStatus, console), settings.DataDir, TimeProvider.System, ct);
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }

    public static string StateMachineArn() => $"arn:aws:states:{LocalStateMachine.Region}:{LocalStateMachine.Account}:stateMachine:{StateMachineName}";

    /// <summary>The server's view of the composed pipeline; alerts go to the terminal as in `run`.</summary>
    private sealed class PipelineHost(LocalPipeline pipeline, ExtractStatus extractStatus, CliConsole console) : IPipelineHost, IAlertSink, IDisposable
    {
        public string? ExtractProgress(DateTimeOffset since) => extractStatus.Since(since);

        public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions => pipeline.Functions;

        public IAlertSink Alerts => this;

        public Task<ReportData> BuildReportAsync(CancellationToken cancellationToken) =>
            MarketReport.BuildAsync(pipeline.Settings.DatabasePath, pipeline.Store, cancellationToken);

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            console.Display.MarkupLine($"[red]alert[/] {Markup.Escape(alert.Subject ?? "")}: {Markup.Escape(alert.Message)}");
            return Task.CompletedTask;
        }

        public void Dispose() => pipeline.Dispose();
    }
}
