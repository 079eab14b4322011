namespace CryptoEtl.Core.Resilience;

/// <summary>
/// One retry about to happen: what was tried (a URL or an operation, never a secret), which attempt
/// failed, why, and how long the wait is; <see cref="FromRetryAfter"/> when the server set it.
/// </summary>
public sealed record RetryNotice(string Target, int Attempt, string Reason, TimeSpan Delay, bool FromRetryAfter);
