namespace CryptoEtl.Core;

/// <summary>The /global response as the source sent it, and its count of active coins (null when it gives none).</summary>
public sealed record GlobalResponse(Uri Url, byte[] Json, int? ActiveCoins);
