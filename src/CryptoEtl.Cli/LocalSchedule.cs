using System.Globalization;
using System.Threading.Channels;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>What one scheduled run produced.</summary>
public sealed record ScheduledRunResult(int Coins, int Rows);

/// <summary>
/// Runs the pipeline every <c>every</c>, on an injected clock: one run at a time (a tick that comes
/// while a run is going is skipped and said so), a failed run is reported and the next tick still
/// runs, and stopping ends the ticks but lets the run in progress finish. Each tick prints one line.
/// </summary>
public sealed class LocalSchedule
{
    private readonly TimeSpan _every;
    private readonly Func<CancellationToken, Task<ScheduledRunResult>> _run;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;

    public LocalSchedule(TimeSpan every, Func<CancellationToken, Task<ScheduledRunResult>> run, TimeProvider time, Action<string> report)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero);
        _every = every;
        _run = run ?? throw new ArgumentNullException(nameof(run));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _report = report ?? throw new ArgumentNullException(nameof(report));
    }

    /// <summary>
    /// Runs at once, then on every tick, until <paramref name="stop"/>; then waits for the run in
    /// progress (which <paramref name="stop"/> does not cancel: its writes finish whole).
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        // Ticks queue here from the timer's thread; the loop below alone decides run or skip.
        var ticks = Channel.CreateUnbounded<DateTimeOffset>(new UnboundedChannelOptions { SingleReader = true });
        ticks.Writer.TryWrite(_time.GetUtcNow());
        Task running = Task.CompletedTask;
        DateTimeOffset? runningSince = null;
        await using (_time.CreateTimer(_ => ticks.Writer.TryWrite(_time.GetUtcNow()), null, _every, _every))
        {
            try
            {
                await foreach (var tick in ticks.Reader.ReadAllAsync(stop))
                {
                    if (!running.IsCompleted)
                    {
                        _report($"{Time(tick)}  skipped: the run started {Time(runningSince!.Value)} is still going");
                        continue;
                    }

                    runningSince = tick;
                    running = RunOnceAsync(tick);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: no more ticks.
            }
        }

        if (!running.IsCompleted)
        {
            _report($"{Time(_time.GetUtcNow())}  stopping: waiting for the run started {Time(runningSince!.Value)} to finish");
        }

        await running;
        _report($"{Time(_time.GetUtcNow())}  stopped");
    }

    private async Task RunOnceAsync(DateTimeOffset started)
    {
        // Off the loop's thread, so the loop goes on reading ticks (and skipping them) meanwhile.
        await Task.Yield();
        var clock = _time.GetTimestamp();
        try
        {
            // Not the stop token: a run that has begun finishes, so nothing is left half-written.
            var result = await _run(CancellationToken.None);
            _report(string.Create(CultureInfo.InvariantCulture, $"{Time(started)}  ok      {result.Coins} coins, {result.Rows} rows, {Seconds(clock)}"));
        }
#pragma warning disable CA1031 // A failed run is reported and the schedule goes on: that is its contract.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = ex is PipelineException p ? $"{p.ErrorName}: {p.Message}" : $"unexpected {ex.GetType().Name}: {ex.Message}";
            _report($"{Time(started)}  failed  {CryptoEtlApp.OneLine(error)} ({Seconds(clock)})");
        }
    }

    private string Seconds(long since) => string.Create(CultureInfo.InvariantCulture, $"{_time.GetElapsedTime(since).TotalSeconds:0.0} s");

    private static string Time(DateTimeOffset time) => ObjectKeys.Iso(time);
}
