namespace CryptoEtl.Core.Resilience;

/// <summary>
/// What one attempt came to, as the caller judges it: done (success, or a failure retrying cannot
/// fix), or worth another try, with the reason and the server's Retry-After if it sent one.
/// </summary>
public readonly record struct AttemptVerdict(bool Retry, string Reason, TimeSpan? RetryAfter = null)
{
    public static AttemptVerdict Done { get; } = new(false, "");

    public static AttemptVerdict TryAgain(string reason, TimeSpan? retryAfter = null) => new(true, reason, retryAfter);
}
