namespace CryptoEtl.Core;

/// <summary>One /coins/markets page as the source sent it, with the coin ids found in it (null for a coin without one).</summary>
public sealed record MarketsPage(int Page, Uri Url, byte[] Json, IReadOnlyList<string?> CoinIds)
{
    public bool IsEmpty => CoinIds.Count == 0;
}
