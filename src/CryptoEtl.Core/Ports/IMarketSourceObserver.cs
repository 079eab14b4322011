using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Core;

/// <summary>
/// Watches a market source's calls: every retry and every wait (the rate limit's gap, an answer
/// being awaited). Calls come one at a time from the source's flow; an observer must not throw.
/// </summary>
public interface IMarketSourceObserver : IRetryObserver
{
    void OnWaiting(WaitNotice wait);
}
