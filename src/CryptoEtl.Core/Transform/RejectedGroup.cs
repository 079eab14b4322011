namespace CryptoEtl.Core.Transform;

/// <summary>The coins rejected for one reason, and how many.</summary>
public sealed record RejectedGroup(int Count, IReadOnlyList<RejectedCoin> Coins);
