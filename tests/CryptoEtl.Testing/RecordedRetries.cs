using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Testing;

/// <summary>Keeps every retry notice it is told, in order, for tests that assert what a host would log.</summary>
public sealed class RecordedRetries : IRetryObserver
{
    private readonly Lock _gate = new();
    private readonly List<RetryNotice> _notices = [];

    public IReadOnlyList<RetryNotice> Notices
    {
        get
        {
            lock (_gate)
            {
                return [.. _notices];
            }
        }
    }

    public void OnRetry(RetryNotice retry)
    {
        lock (_gate)
        {
            _notices.Add(retry);
        }
    }
}
