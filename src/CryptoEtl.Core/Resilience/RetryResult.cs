namespace CryptoEtl.Core.Resilience;

/// <summary>The last attempt's value, how many attempts were made, and why the policy stopped there.</summary>
public sealed record RetryResult<T>(T Value, int Attempts, RetryStop Stop, AttemptVerdict LastVerdict);
