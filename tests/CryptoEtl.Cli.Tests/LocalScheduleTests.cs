using System.Threading.Channels;
using CryptoEtl.Core;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// The local schedule on a FakeTimeProvider: time moves only when a test advances it, and each
/// run is a task the test completes, so overlaps, failures and stops happen exactly when stated.
/// </summary>
public sealed class LocalScheduleTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(15);

    // A guard against a hang, never a wait for time to pass: the fake clock only moves when told.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<(TaskCompletionSource<ScheduledRunResult> Run, CancellationToken Token)> _runs = Channel.CreateUnbounded<(TaskCompletionSource<ScheduledRunResult>, CancellationToken)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _schedule;

    public LocalScheduleTests()
    {
        var schedule = new LocalSchedule(
            Every,
            ct =>
            {
                var run = new TaskCompletionSource<ScheduledRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _runs.Writer.TryWrite((run, ct));
                return run.Task;
            },
            _time,
            line => _lines.Writer.TryWrite(line));
        _schedule = schedule.RunAsync(_stop.Token);
    }

    public void Dispose() => _stop.Dispose();

    private async Task<TaskCompletionSource<ScheduledRunResult>> NextRunAsync() => (await _runs.Reader.ReadAsync().AsTask().WaitAsync(Guard)).Run;

    private Task<string> NextLineAsync() => _lines.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    [Fact]
    public async Task It_runs_at_once_then_on_every_tick_with_one_line_per_run()
    {
        var first = await NextRunAsync();
        _time.Advance(TimeSpan.FromSeconds(3.2));
        first.SetResult(new ScheduledRunResult(250, 250));
        Assert.Equal("2026-11-29T12:00:00Z  ok      250 coins, 250 rows, 3.2 s", await NextLineAsync());

        _time.Advance(Every - TimeSpan.FromSeconds(3.2));
        var second = await NextRunAsync();
        second.SetResult(new ScheduledRunResult(500, 499));
        Assert.Equal("2026-11-29T12:15:00Z  ok      500 coins, 499 rows, 0.0 s", await NextLineAsync());
    }

    [Fact]
    public async Task A_tick_while_a_run_is_going_is_skipped_and_said_so()
    {
        var first = await NextRunAsync();

        _time.Advance(Every);
        Assert.Equal("2026-11-29T12:15:00Z  skipped: the run started 2026-11-29T12:00:00Z is still going", await NextLineAsync());
        Assert.False(_runs.Reader.TryRead(out _), "a second run started while the first was going");

        _time.Advance(TimeSpan.FromMinutes(1));
        first.SetResult(new ScheduledRunResult(250, 250));
        Assert.Equal("2026-11-29T12:00:00Z  ok      250 coins, 250 rows, 960.0 s", await NextLineAsync());

        _time.Advance(Every - TimeSpan.FromMinutes(1));
        var third = await NextRunAsync();
        third.SetResult(new ScheduledRunResult(250, 250));
        Assert.StartsWith("2026-11-29T12:30:00Z  ok", await NextLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_is_reported_and_the_next_tick_still_runs()
    {
        var first = await NextRunAsync();
        _time.Advance(TimeSpan.FromSeconds(1.5));
        first.SetException(new PipelineException(ErrorNames.CoinGeckoUnavailable, "GET /coins/markets page 1: 503\nafter 3 attempts"));
        Assert.Equal("2026-11-29T12:00:00Z  failed  CryptoEtl.CoinGeckoUnavailable: GET /coins/markets page 1: 503 after 3 attempts (1.5 s)", await NextLineAsync());

        _time.Advance(Every - TimeSpan.FromSeconds(1.5));
        var second = await NextRunAsync();
        second.SetException(new InvalidOperationException("boom"));
        Assert.Equal("2026-11-29T12:15:00Z  failed  unexpected InvalidOperationException: boom (0.0 s)", await NextLineAsync());

        _time.Advance(Every);
        (await NextRunAsync()).SetResult(new ScheduledRunResult(1, 1));
        Assert.StartsWith("2026-11-29T12:30:00Z  ok", await NextLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_lets_the_run_in_progress_finish_and_starts_no_other()
    {
        var (first, token) = await _runs.Reader.ReadAsync().AsTask().WaitAsync(Guard);

        await _stop.CancelAsync();
        Assert.Equal("2026-11-29T12:00:00Z  stopping: waiting for the run started 2026-11-29T12:00:00Z to finish", await NextLineAsync());
        _time.Advance(Every * 2);
        Assert.False(_schedule.IsCompleted);
        Assert.False(token.IsCancellationRequested, "the run in progress was cancelled");

        first.SetResult(new ScheduledRunResult(250, 250));
        Assert.Equal("2026-11-29T12:00:00Z  ok      250 coins, 250 rows, 1800.0 s", await NextLineAsync());
        Assert.Equal("2026-11-29T12:30:00Z  stopped", await NextLineAsync());
        await _schedule.WaitAsync(Guard);
        Assert.False(_runs.Reader.TryRead(out _), "a run started after the stop");
        Assert.False(_lines.Reader.TryRead(out var extra), $"unexpected line after stop: {extra}");
    }

    [Fact]
    public async Task Stopping_between_runs_ends_at_once()
    {
        (await NextRunAsync()).SetResult(new ScheduledRunResult(250, 250));
        Assert.StartsWith("2026-11-29T12:00:00Z  ok", await NextLineAsync(), StringComparison.Ordinal);

        await _stop.CancelAsync();

        Assert.Equal("2026-11-29T12:00:00Z  stopped", await NextLineAsync());
        await _schedule.WaitAsync(Guard);
    }

    [Theory]
    [InlineData("--every", "15", "--input", "{}", "cryptoetl: CryptoEtl.InvalidInput: --every 15: give a whole number and a unit, e.g. 90s, 15m, 1h or 1d")]
    [InlineData("--every", "15m", "--input", "{\"fetch_time\":\"2026-11-29T12:00:00Z\"}", "cryptoetl: CryptoEtl.InvalidInput: schedule: --input must not set fetch_time; each run takes its own (the same one would replace one snapshot)")]
    public async Task The_command_refuses_a_bad_interval_or_a_fixed_fetch_time_before_running(string option, string every, string inputOption, string input, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CryptoEtlApp.RunAsync(["schedule", option, every, inputOption, input, "--offline", "--data-dir", Path.Combine(Path.GetTempPath(), $"cryptoetl-schedule-{Guid.NewGuid():N}")], CliConsole.ToWriters(output, error));

        Assert.Equal(1, exit);
        Assert.Equal(expected, error.ToString().TrimEnd());
        Assert.Equal("", output.ToString());
    }
}
