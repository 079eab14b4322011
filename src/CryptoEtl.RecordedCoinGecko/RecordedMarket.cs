using System.Reflection;

namespace CryptoEtl.RecordedCoinGecko;

/// <summary>The recorded market shipped in the binary for `cryptoetl run --offline` (see Recorded/SOURCES.md).</summary>
public static class RecordedMarket
{
    private static readonly Lazy<int> RecordedCoins = new(() =>
    {
        using var handler = CreateRecordedHandler();
        return handler.CoinCount;
    });

    /// <summary>
    /// When the recording was made, as an offline run's fetch time: the first whole second after
    /// every recorded coin's last_updated (2022-11-27T21:13:35.767Z; /global's updated_at is 21:13:17).
    /// </summary>
    public static DateTimeOffset RecordedAt { get; } = new(2022, 11, 27, 21, 13, 36, TimeSpan.Zero);

    /// <summary>How many coins the recording holds (one page of CoinGecko's 250, of a much larger market).</summary>
    public static int CoinCount => RecordedCoins.Value;

    public static HttpMessageHandler CreateHandler() => CreateRecordedHandler();

    /// <summary>
    /// The pages of <paramref name="perPage"/> coins the recording fills. Asking beyond them would
    /// get [] right after a full page, which Extract rightly doubts (the recorded /global counts
    /// thousands more coins), so offline runs ask no further.
    /// </summary>
    public static int PagesFor(int perPage) => (CoinCount + perPage - 1) / Math.Max(perPage, 1);

    private static RecordedCoinGeckoHandler CreateRecordedHandler() =>
        new([Read("Recorded.coins_markets_usd_page1.json")], Read("Recorded.global.json"));

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the recorded market resource {name} is missing from this build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
