using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.Retry;

namespace CryptoEtl.Core.Resilience;

/// <summary>
/// The one retry mechanism of the pipeline: Polly's retry strategy (Polly.Core is AOT-compatible
/// and waits on the injected <see cref="TimeProvider"/>) with our rules around it. The caller
/// judges each attempt (<see cref="AttemptVerdict"/>); the policy waits the server's Retry-After
/// exactly when it sent one (seconds or an HTTP date, already turned into a wait by the caller),
/// else exponential backoff with equal jitter; a Retry-After above the limit stops at once; every
/// retry is told to the <see cref="IRetryObserver"/> before its wait. An exception thrown by an
/// attempt is never retried: it is the caller's way to fail at once.
/// </summary>
/// <remarks>T carries Polly's DynamicallyAccessedMembers(All): its options are validated with data annotations.</remarks>
public sealed class RetryPolicy<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>
{
    private static readonly ResiliencePropertyKey<Call> CallKey = new("CryptoEtl.RetryCall");

    private readonly RetrySettings _settings;
    private readonly IRetryObserver? _observer;
    private readonly Random _jitter;
    private readonly ResiliencePipeline<T> _pipeline;

    public RetryPolicy(RetrySettings settings, TimeProvider time, IRetryObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        if (settings.MaxRetries < 0 || settings.InitialBackoff < TimeSpan.Zero || settings.MaxBackoff < settings.InitialBackoff)
        {
            throw new PipelineException(ErrorNames.Configuration, "retries must not be negative and the backoff must grow from its first to its longest wait");
        }

        _settings = settings;
        _observer = observer;
        _jitter = settings.JitterSeed is { } seed ? new Random(seed) : Random.Shared;
        // Polly requires at least one retry; with none the attempt runs once, as is.
        _pipeline = settings.MaxRetries == 0
            ? ResiliencePipeline<T>.Empty
            : new ResiliencePipelineBuilder<T> { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions<T>
                {
                    MaxRetryAttempts = settings.MaxRetries,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(CallOf(args.Context), args.Outcome)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(CallOf(args.Context).NextDelay),
                    OnRetry = args =>
                    {
                        var call = CallOf(args.Context);
                        _observer?.OnRetry(new RetryNotice(call.Target, call.Attempts, call.Verdict.Reason, args.RetryDelay, call.FromRetryAfter));
                        return default;
                    },
                })
                .Build();
    }

    public RetrySettings Settings => _settings;

    /// <summary>
    /// Runs <paramref name="attempt"/> until <paramref name="judge"/> says done, the budget is used
    /// or the server asks for too long a wait; returns the last value and why it stopped.
    /// <paramref name="target"/> names what is tried in the retry notices (never a secret).
    /// </summary>
    public async Task<RetryResult<T>> ExecuteAsync(
        string target, Func<CancellationToken, ValueTask<T>> attempt, Func<T, AttemptVerdict> judge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(judge);
        var call = new Call(target, attempt, judge);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(CallKey, call);
            var value = await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.Attempts++;
                    return await state.Attempt(ctx.CancellationToken);
                },
                context,
                call);
            if (_settings.MaxRetries == 0)
            {
                ShouldRetry(call, Outcome.FromResult(value));
            }

            return new RetryResult<T>(value, call.Attempts, call.Stop, call.Verdict);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static Call CallOf(ResilienceContext context) => context.Properties.GetValue(CallKey, null!);

    private bool ShouldRetry(Call call, Outcome<T> outcome)
    {
        call.NextDelay = null;
        call.FromRetryAfter = false;
        if (outcome.Exception is not null)
        {
            call.Stop = RetryStop.Done;
            return false;
        }

        var verdict = call.Verdict = call.Judge(outcome.Result!);
        if (!verdict.Retry)
        {
            call.Stop = RetryStop.Done;
            return false;
        }

        if (call.Attempts > _settings.MaxRetries)
        {
            call.Stop = RetryStop.BudgetUsed;
            return false;
        }

        if (verdict.RetryAfter > _settings.MaxRetryAfter)
        {
            call.Stop = RetryStop.RetryAfterTooLong;
            return false;
        }

        call.FromRetryAfter = verdict.RetryAfter is not null;
        call.NextDelay = verdict.RetryAfter ?? Backoff(call.Attempts);
        return true;
    }

    // Exponential with "equal jitter": half fixed so waits grow, half random so many runs do not retry in step.
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = _settings.InitialBackoff * Math.Pow(2, Math.Min(attempt - 1, 30));
        if (ceiling > _settings.MaxBackoff)
        {
            ceiling = _settings.MaxBackoff;
        }

        double random;
        lock (_jitter)
        {
            random = _jitter.NextDouble();
        }

        // Whole milliseconds: what timers can wait, so the reported delay is the one waited.
        return TimeSpan.FromMilliseconds(Math.Round((ceiling / 2 + ceiling / 2 * random).TotalMilliseconds));
    }

    /// <summary>One ExecuteAsync: its attempt and judge, and what the policy decided last.</summary>
    private sealed class Call(string target, Func<CancellationToken, ValueTask<T>> attempt, Func<T, AttemptVerdict> judge)
    {
        public string Target { get; } = target;

        public Func<CancellationToken, ValueTask<T>> Attempt { get; } = attempt;

        public Func<T, AttemptVerdict> Judge { get; } = judge;

        public int Attempts { get; set; }

        public AttemptVerdict Verdict { get; set; } = AttemptVerdict.Done;

        public RetryStop Stop { get; set; }

        public TimeSpan? NextDelay { get; set; }

        public bool FromRetryAfter { get; set; }
    }
}
