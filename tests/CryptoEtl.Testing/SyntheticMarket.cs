using System.Globalization;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Testing;

/// <summary>Raw objects for tests, written by the one <see cref="RawSnapshotWriter"/> Extract uses.</summary>
public static class RawSnapshots
{
    /// <summary>A whole raw object in memory, from recorded pages.</summary>
    public static byte[] Build(DateTimeOffset fetchTime, IEnumerable<byte[]> pages, byte[]? globalResponse = null, string vsCurrency = "usd")
    {
        ArgumentNullException.ThrowIfNull(pages);
        var all = pages.ToList();
        using var buffer = new MemoryStream();
        using (var writer = new RawSnapshotWriter(buffer, Metadata(fetchTime, all.Count, vsCurrency), globalResponse))
        {
            foreach (var page in all)
            {
                writer.WritePage(page);
            }

            writer.CompleteAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return buffer.ToArray();
    }

    /// <summary>The metadata of a sweep of <paramref name="pages"/> pages of 250 that reached the end.</summary>
    public static RawSnapshotMetadata Metadata(DateTimeOffset fetchTime, int pages, string vsCurrency = "usd") => new()
    {
        FetchTime = fetchTime,
        VsCurrency = vsCurrency,
        PerPage = 250,
        PagesRequested = PageCount.All,
        PagesFetched = pages,
        GlobalUrl = new Uri("https://api.coingecko.com/api/v3/global"),
    };
}

/// <summary>
/// A deterministic, CoinGecko-shaped market of any size for benchmarks and streaming tests:
/// the /coins/markets fields in CoinGecko's order, numbers written the way CoinGecko writes them
/// (lower-case exponents, 1e-10 prices to 1e18 supplies), nulls at about the rates of the
/// recordings (roi mostly null, max_supply often null, an unranked long tail with market_cap 0
/// and some null 24h fields), a few ids repeated on a later page (coins moving during a sweep) and
/// a few coins with no price (rejected).
/// </summary>
public static class SyntheticMarket
{
    public const int PerPage = 250;
    public const double GlobalTotalMarketCapUsd = 3.4e12;

    /// <summary>Writes a raw snapshot of <paramref name="coins"/> page elements to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, int coins, int seed = 20261125, DateTimeOffset? fetchTime = null)
    {
        var metadata = RawSnapshots.Metadata(fetchTime ?? new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), (coins + PerPage - 1) / PerPage);
        using var writer = new RawSnapshotWriter(stream, metadata, Global(coins), validate: false);
        foreach (var page in Pages(coins, seed))
        {
            writer.WritePage(page);
            writer.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        writer.CompleteAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The /global response that goes with a market of <paramref name="coins"/> coins.</summary>
    public static byte[] Global(int coins) => System.Text.Encoding.UTF8.GetBytes(string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"data":{"active_cryptocurrencies":{{{coins}}},"markets":1200,"total_market_cap":{"btc":3.6e7,"usd":{{{GlobalTotalMarketCapUsd:R}}}},"total_volume":{"usd":1.2e11},"updated_at":1764072000}}"""));

    /// <summary>The market as /coins/markets pages of <see cref="PerPage"/> coins, made one at a time.</summary>
    public static IEnumerable<byte[]> Pages(int coins, int seed = 20261125)
    {
        var random = new Random(seed);
        var ranked = coins * 3 / 5;
        using var page = new MemoryStream();
        for (var start = 0; start < coins; start += PerPage)
        {
            page.SetLength(0);
            using (var json = new Utf8JsonWriter(page))
            {
                json.WriteStartArray();
                for (var i = start; i < Math.Min(start + PerPage, coins); i++)
                {
                    // About 1 in 2,000 coins moved pages during the sweep: an earlier id shows up again.
                    var id = i > PerPage && random.Next(2000) == 0 ? random.Next(i - PerPage) : i;
                    WriteCoin(json, random, id, i < ranked ? i + 1 : null);
                }

                json.WriteEndArray();
            }

            yield return page.ToArray();
        }
    }

    private static void WriteCoin(Utf8JsonWriter json, Random random, int n, int? rank)
    {
        json.WriteStartObject();
        json.WriteString("id", $"coin-{n}");
        json.WriteString("symbol", Symbol(n));
        json.WriteString("name", n % 997 == 3 ? $"Bridged \"Token\" {n}, wrapped" : n % 211 == 5 ? $"Café {n}" : $"Coin {n}");
        json.WriteString("image", $"https://coin-images.coingecko.com/coins/images/{n}/large/coin-{n}.png?1696501400");

        // 1 in 1,000 coins has no price (a dead market): Transform rejects it.
        var price = random.Next(1000) == 0 ? (double?)null : LogUniform(random, 1e-10, 1e5);
        var marketCap = rank is { } r ? Math.Round(2e12 / Math.Pow(r, 1.3) * (0.8 + (0.4 * random.NextDouble()))) : 0;
        var supply = price is { } p && marketCap > 0 ? Math.Min(marketCap / p, 1e18) : LogUniform(random, 1e3, 1e18);
        var has24h = random.Next(50) != 0;
        Number(json, "current_price", price);
        Number(json, "market_cap", marketCap);
        Number(json, "market_cap_rank", rank);
        Number(json, "fully_diluted_valuation", random.Next(5) < 2 ? null : Math.Round(marketCap * (1 + random.NextDouble())));
        Number(json, "total_volume", Math.Round(marketCap * random.NextDouble() * 0.2) + random.Next(1000));
        Number(json, "high_24h", has24h ? price * 1.03 : null);
        Number(json, "low_24h", has24h ? price * 0.97 : null);
        Number(json, "price_change_24h", has24h ? price * ((random.NextDouble() * 0.1) - 0.05) : null);
        Number(json, "price_change_percentage_24h", has24h ? Math.Round((random.NextDouble() * 10) - 5, 5) : null);
        Number(json, "market_cap_change_24h", has24h ? marketCap * ((random.NextDouble() * 0.1) - 0.05) : null);
        Number(json, "market_cap_change_percentage_24h", has24h ? Math.Round((random.NextDouble() * 10) - 5, 5) : null);
        Number(json, "circulating_supply", supply);
        Number(json, "total_supply", random.Next(10) == 0 ? null : supply * 1.2);
        Number(json, "max_supply", random.Next(100) < 45 ? null : supply * 2);
        Number(json, "ath", price * 3);
        Number(json, "ath_change_percentage", Math.Round(-random.NextDouble() * 99, 5));
        json.WriteString("ath_date", "2024-12-17T15:02:41.429Z");
        Number(json, "atl", price / 10);
        Number(json, "atl_change_percentage", Math.Round(random.NextDouble() * 1e5, 5));
        json.WriteString("atl_date", "2013-07-06T00:00:00.000Z");
        if (random.Next(100) < 14)
        {
            json.WriteStartObject("roi");
            var times = random.NextDouble() * 100;
            Number(json, "times", times);
            json.WriteString("currency", random.Next(2) == 0 ? "usd" : "btc");
            Number(json, "percentage", times * 100);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("roi");
        }

        json.WriteString("last_updated", "2026-11-25T11:59:31.946Z");
        json.WriteEndObject();
    }

    /// <summary>A short lower-case symbol for coin <paramref name="n"/> (also used by the benchmark's awkward market).</summary>
    public static string Symbol(int n)
    {
        Span<char> chars = stackalloc char[8];
        var length = 0;
        do
        {
            chars[length++] = (char)('a' + (n % 26));
            n /= 26;
        }
        while (n > 0);

        return new string(chars[..length]);
    }

    /// <summary>A value spread evenly over the orders of magnitude between min and max.</summary>
    public static double LogUniform(Random random, double min, double max) =>
        Math.Exp(Math.Log(min) + (random.NextDouble() * (Math.Log(max) - Math.Log(min))));

    /// <summary>CoinGecko's number style: shortest round-trip text with a lower-case exponent (3.7e-09).</summary>
    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        if (value is not { } v)
        {
            json.WriteNullValue();
            return;
        }

        Span<byte> text = stackalloc byte[32];
        v.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        for (var i = 0; i < written; i++)
        {
            if (text[i] == (byte)'E')
            {
                text[i] = (byte)'e';
            }
        }

        json.WriteRawValue(text[..written], skipInputValidation: true);
    }
}
