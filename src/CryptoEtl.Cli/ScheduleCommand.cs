using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl schedule --every 15m`: the pipeline on a local schedule, through the same state
/// machine as `run`, keeping the local history (and the report) growing. One line per tick.
/// SIGINT/SIGTERM stop the ticks and let the run in progress finish; a second signal ends the
/// process at once, which leaves nothing half-written either (objects and loads are atomic).
/// </summary>
public static class ScheduleCommand
{
    public const string Name = "schedule";

    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var options = new PipelineOptions();
        var every = new Option<string>("--every") { Description = "How often to run: 15m, 1h, ... (check a month of it with `cryptoetl plan`)", Required = true };
        var input = PipelineOptions.Input("The execution input JSON of every run, e.g. '{\"pages\":3}'; '-' reads stdin");
        var command = new Command(Name, "Run the pipeline every --every until SIGINT/SIGTERM, one run at a time; one line per run")
        {
            every, input,
        };
        options.AddTo(command, withCoinGecko: true, withWarehouse: true);
        command.SetAction(async (parsed, ct) =>
        {
            var interval = Interval.Parse(parsed.GetValue(every)!);
            var request = await RunCommand.ExecutionInputAsync(parsed.GetValue(input), ct);
            if (request.FetchTime is not null)
            {
                throw new PipelineException(ErrorNames.InvalidInput, "schedule: --input must not set fetch_time; each run takes its own (the same one would replace one snapshot)");
            }

            using var pipeline = new LocalPipeline(options.Read(parsed), console.GetEnvironment);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var gate = new object();
            void Report(string line)
            {
                lock (gate)
                {
                    console.Out.WriteLine(line);
                }
            }

            // The first signal stops the ticks; Cancel = true keeps the process alive for the run in progress.
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = !stop.IsCancellationRequested;
                stop.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            Report($"schedule: every {Interval.Format(interval)}, into {pipeline.Warehouse.Table}; SIGINT/SIGTERM stop it after the run in progress");
            await new LocalSchedule(interval, runCt => RunOnceAsync(pipeline, RunCommand.ToExecutionInput(request), runCt), TimeProvider.System, Report).RunAsync(stop.Token);
            return 0;
        });
        return command;
    }

    private static async Task<ScheduledRunResult> RunOnceAsync(LocalPipeline pipeline, JsonObject input, CancellationToken ct)
    {
        var runner = new StateMachineRunner(EmbeddedStateMachine.Load(), pipeline.Functions, new DiscardedAlerts());
        var result = await runner.RunAsync(input.DeepClone(), $"schedule-{Guid.NewGuid():N}", ct);
        if (!result.Succeeded)
        {
            throw result.Status == ExecutionStatus.TimedOut
                ? new PipelineException("States.Timeout", "the execution ran past the state machine's TimeoutSeconds")
                : new PipelineException(result.Error ?? "States.Failed", RunCommand.CauseMessage(result.Cause));
        }

        if (pipeline.LocalDatabasePath is not null)
        {
            await ReportCommand.WriteAsync(pipeline, null, ct);
        }

        var output = result.Output!;
        return new ScheduledRunResult(output["extract"]!["coins"]!.GetValue<int>(), output["load"]!["rows_loaded"]!.GetValue<int>());
    }

    /// <summary>The failure state's alert: the command's own line reports the failure (schedule, backfill).</summary>
    internal sealed class DiscardedAlerts : IAlertSink
    {
        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
