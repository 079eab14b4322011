using System.Reflection;

namespace CryptoEtl.RecordedCoinGecko;

/// <summary>The recorded market shipped in the binary for `cryptoetl run --offline` (see Recorded/README.md).</summary>
public static class RecordedMarket
{
    public static HttpMessageHandler CreateHandler() =>
        new RecordedCoinGeckoHandler([Read("Recorded.coins_markets_usd_page1.json")], Read("Recorded.global.json"));

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the recorded market resource {name} is missing from this build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
