using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.LambdaHosting;

namespace CryptoEtl.Extract;

/// <summary>
/// The Extract function's log of an extract: every retry (<see cref="RetryLog"/>: WARN, with the reason and the wait),
/// each page stored (INFO, pages and coins so far), and rate-limit waits of 10 s or more. An
/// answer being awaited is not logged per request (one line per page would double the log); a
/// request that never answers shows up as its retries.
/// </summary>
internal sealed class ExtractLog(LambdaLogger log) : IExtractObserver, IMarketSourceObserver
{
    private static readonly TimeSpan NotableWait = TimeSpan.FromSeconds(10);

    private int _pagesLogged;

    private readonly RetryLog _retries = new(log, "coingecko");

    public void OnRetry(RetryNotice retry) => _retries.OnRetry(retry);

    public void OnWaiting(WaitNotice wait)
    {
        if (wait.Kind == WaitKind.RateLimit && wait.Length >= NotableWait)
        {
            log.Info("waiting for the coingecko rate limit", new LogField("url", wait.Target), new LogField("wait_s", Math.Round(wait.Length.TotalSeconds, 3)));
        }
    }

    public void OnProgress(ExtractProgress progress)
    {
        if (progress.PagesFetched > _pagesLogged || progress.Finished)
        {
            _pagesLogged = progress.PagesFetched;
            log.Info(progress.Finished ? "extract fetching done" : "extract page stored",
                new LogField("pages", progress.PagesFetched),
                new LogField("pages_expected", progress.PagesExpected?.ToString(CultureInfo.InvariantCulture) ?? "all"),
                new LogField("coins", progress.Coins));
        }
    }
}
