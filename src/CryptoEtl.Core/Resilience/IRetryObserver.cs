namespace CryptoEtl.Core.Resilience;

/// <summary>Told about every retry before its wait, so the Lambda log and the CLI show each one.</summary>
public interface IRetryObserver
{
    void OnRetry(RetryNotice retry);
}
