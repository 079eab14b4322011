using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Testing;

/// <summary>
/// A fake clock on which waits take no real time: a Task.Delay moves the clock straight to its due
/// time, so a run's simulated duration is exact and tests never sleep. Timeouts (timers owned by a
/// CancellationTokenSource) fire only when the clock passes them: through a wait, or a test's Advance.
/// </summary>
public sealed class SimulatedClock : FakeTimeProvider
{
    public static readonly DateTimeOffset Origin = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();

    public SimulatedClock()
        : base(Origin)
    {
    }

    public TimeSpan Elapsed => GetUtcNow() - Origin;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            var due = GetUtcNow() + dueTime;
            ThreadPool.QueueUserWorkItem(_ =>
            {
                lock (_gate)
                {
                    if (GetUtcNow() < due)
                    {
                        SetUtcNow(due);
                    }
                }
            });
        }

        return timer;
    }
}
