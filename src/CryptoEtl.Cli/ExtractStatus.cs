using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Cli;

/// <summary>
/// An extract's progress in words, e.g. "2 of 70 pages, 500 coins; waiting 4.0 s for the rate
/// limit": the terminal's progress line and the web console's execution page say the same thing.
/// As an observer it keeps the latest words, for a page that asks while the extract runs.
/// </summary>
public sealed class ExtractStatus(TimeProvider time) : IExtractView
{
    private readonly Lock _gate = new();
    private ExtractProgress _progress = new(0, null, 0);
    private string? _activity;
    private DateTimeOffset _updated = DateTimeOffset.MinValue;

    /// <summary>The words, when the extract told anything at or after <paramref name="since"/> (the state's start); else null.</summary>
    public string? Since(DateTimeOffset since)
    {
        lock (_gate)
        {
            return _updated >= since && !_progress.Finished ? Describe(_progress, _activity) : null;
        }
    }

    public void OnProgress(ExtractProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        Update(progress, null);
    }

    public void OnWaiting(WaitNotice wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        Update(null, Activity(wait));
    }

    public void OnRetry(RetryNotice retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        Update(null, Activity(retry));
    }

    public static string Describe(ExtractProgress progress, string? activity)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var pages = progress.PagesExpected is { } expected
            ? string.Create(CultureInfo.InvariantCulture, $"{progress.PagesFetched} of {expected} pages")
            : string.Create(CultureInfo.InvariantCulture, $"{progress.PagesFetched} pages of all (to the end)");
        var coins = string.Create(CultureInfo.InvariantCulture, $"{progress.Coins:N0} coins");
        return activity is null ? $"{pages}, {coins}" : $"{pages}, {coins}; {activity}";
    }

    public static string Activity(WaitNotice wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        return wait.Kind == WaitKind.RateLimit
            ? $"waiting {Seconds(wait.Length)} for the rate limit"
            : $"waiting for CoinGecko's answer (at most {Seconds(wait.Length)}): {wait.Target}";
    }

    public static string Activity(RetryNotice retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        return $"waiting {Seconds(retry.Delay)} ({(retry.FromRetryAfter ? "Retry-After" : "backoff")}) to retry";
    }

    public static string Seconds(TimeSpan length) =>
        string.Create(CultureInfo.InvariantCulture, $"{length.TotalSeconds:0.0} s");

    private void Update(ExtractProgress? progress, string? activity)
    {
        lock (_gate)
        {
            _progress = progress ?? _progress;
            _activity = activity;
            _updated = time.GetUtcNow();
        }
    }
}
