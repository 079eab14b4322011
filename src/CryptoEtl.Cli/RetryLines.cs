using System.Globalization;
using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Cli;

/// <summary>
/// Prints each retry as one plain line (what was tried, which attempt failed and why, the wait and
/// whether the server set it): Snowflake's retries during Load, and CoinGecko's through
/// <see cref="ExtractProgressView"/>, which prints them in the same words.
/// </summary>
public sealed class RetryLines(TextWriter output) : IRetryObserver
{
    private readonly Lock _gate = new();

    /// <summary>The line for a retry, no markup, so a URL or host stays greppable.</summary>
    public static string Describe(RetryNotice retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        var why = retry.FromRetryAfter ? "Retry-After" : "backoff";
        return string.Create(CultureInfo.InvariantCulture,
            $"  retry    {retry.Target} (attempt {retry.Attempt} failed: {retry.Reason}); trying again in {retry.Delay.TotalSeconds:0.0} s ({why})");
    }

    public void OnRetry(RetryNotice retry)
    {
        var line = Describe(retry);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
