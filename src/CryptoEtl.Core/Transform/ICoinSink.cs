namespace CryptoEtl.Core.Transform;

/// <summary>What a pass does with each page element of the raw object.</summary>
internal interface ICoinSink
{
    /// <summary>A complete coin object; its slots point into <paramref name="json"/>.</summary>
    void OnCoin(ReadOnlySpan<byte> json, CoinRecord coin, CoinPosition position);

    void OnNotAnObject(CoinPosition position);

    /// <summary>Called between buffer refills, where asynchronous I/O may happen.</summary>
    ValueTask OnBufferDoneAsync(CancellationToken cancellationToken);
}
