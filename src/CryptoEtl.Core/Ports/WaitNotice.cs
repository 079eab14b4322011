namespace CryptoEtl.Core;

/// <summary>What a market source waits for before or during a call.</summary>
public enum WaitKind
{
    /// <summary>The pacer's wait until the trailing minute has room for a call at the tier's rate.</summary>
    RateLimit,

    /// <summary>A request is out; the length is how long the source waits for its answer at most.</summary>
    Answer,
}

/// <summary>A wait about to start: what for, on which URL (never the key), and how long at most.</summary>
public sealed record WaitNotice(WaitKind Kind, string Target, TimeSpan Length);
