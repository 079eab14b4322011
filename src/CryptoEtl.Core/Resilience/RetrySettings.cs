namespace CryptoEtl.Core.Resilience;

/// <summary>How hard a <see cref="RetryPolicy{T}"/> tries: the budget, the backoff and the longest Retry-After it waits.</summary>
public sealed record RetrySettings
{
    /// <summary>Retries after the first attempt; 0 means one attempt only.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first backoff; it doubles per retry up to <see cref="MaxBackoff"/>, with equal jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A server asking to wait longer than this ends the retries at once (the caller's caller retries later).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Seeds the jitter (tests); null uses a shared random source.</summary>
    public int? JitterSeed { get; init; }
}
