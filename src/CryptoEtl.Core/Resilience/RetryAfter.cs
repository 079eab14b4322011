using System.Net.Http.Headers;

namespace CryptoEtl.Core.Resilience;

/// <summary>A server's Retry-After as a wait, for <see cref="AttemptVerdict.TryAgain"/>: every adapter reads it the same way.</summary>
public static class RetryAfter
{
    /// <summary>Seconds, or an HTTP date (RFC 9110 10.2.3) counted from <paramref name="now"/>, a date already past being no wait; null without the header.</summary>
    public static TimeSpan? Of(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
