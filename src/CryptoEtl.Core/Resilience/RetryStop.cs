namespace CryptoEtl.Core.Resilience;

/// <summary>Why a <see cref="RetryPolicy{T}"/> returned the last attempt's result.</summary>
public enum RetryStop
{
    /// <summary>The caller judged it done (a success, or a failure no retry can fix).</summary>
    Done,

    /// <summary>Every retry of the budget was used.</summary>
    BudgetUsed,

    /// <summary>The server asked to wait longer than <see cref="RetrySettings.MaxRetryAfter"/>.</summary>
    RetryAfterTooLong,
}
