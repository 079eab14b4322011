namespace CryptoEtl.Core.Transform;

/// <summary>Where a page element sits in the raw object: ordinal over all pages, page (1-based), index in the page.</summary>
internal readonly record struct CoinPosition(int Ordinal, int Page, int Index);
