namespace CryptoEtl.Core.Transform;

/// <summary>A rejected page element: page (1-based), index in the page (0-based), id when it had one.</summary>
public sealed record RejectedCoin(int Page, int Index, string? Id);
