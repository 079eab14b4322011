namespace CryptoEtl.Core;

/// <summary>One row of <see cref="IWarehouseReader.TopByDominanceAsync"/>: the rank as text, as the warehouse gave it.</summary>
public sealed record DominantCoin(string? Rank, string? Name, string? Symbol, double? Dominance);
