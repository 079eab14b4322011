using CryptoEtl.Core.Resilience;

namespace CryptoEtl.LambdaHosting;

/// <summary>
/// A function's log of retries: one WARN line per retry ("coingecko retry", "snowflake retry")
/// with what was tried, which attempt failed and why, and the wait; the Extract and Load functions
/// both log through it, so their retry lines read alike.
/// </summary>
public sealed class RetryLog(LambdaLogger log, string service) : IRetryObserver
{
    private readonly string _message = $"{service} retry";

    public void OnRetry(RetryNotice retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        log.Warn(_message,
            new LogField("target", retry.Target),
            new LogField("attempt", retry.Attempt),
            new LogField("reason", retry.Reason),
            new LogField("wait_s", Math.Round(retry.Delay.TotalSeconds, 3)),
            new LogField("retry_after", retry.FromRetryAfter));
    }
}
