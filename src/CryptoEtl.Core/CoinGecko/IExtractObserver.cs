using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Core.CoinGecko;

/// <summary>
/// Watches an extract: every retry, every wait (the rate limit's gap, an answer being awaited) and
/// the progress through the pages. The Extract Lambda logs it; the CLI draws it. Calls come from
/// the extract's own flow, one at a time; an observer must not throw.
/// </summary>
public interface IExtractObserver : IRetryObserver
{
    void OnWaiting(WaitNotice wait);

    void OnProgress(ExtractProgress progress);
}
