using System.Globalization;
using System.Text;
using CryptoEtl.Testing;

namespace CryptoEtl.Bench;

/// <summary>
/// A benchmark market as awkward as real sweeps, beside the tame <see cref="SyntheticMarket"/>:
/// pages written as CoinGecko writes them (compact, raw UTF-8, 17-digit doubles, "1.0e-10"-style
/// exponents), as Python's json.dumps writes them (", " and ": ", non-ASCII escaped as \uXXXX,
/// "223000000.0") and as JavaScript's JSON.stringify writes them ("1e-7", "1e+21"); long,
/// quoted and non-ASCII names (emoji as surrogate pairs when escaped); image URLs; roi objects;
/// the optional price_change_percentage_*_in_currency fields and, on some coins, the 168-point
/// sparkline_in_7d; nulls, coins moved between pages (duplicates) and coins Transform rejects.
/// 17,000 coins are about 16.6 MB, like the sweep issue 18 measured.
/// </summary>
public static class AwkwardMarket
{
    private const int PerPage = 250;

    private static readonly string[] Names =
    [
        "Coin {0}", "Bridged \"Token\" {0}, wrapped", "Café {0}", "比特币 现金 {0}", "Ðogecoin {0}", "Tōken Ōne {0}",
        "🚀 Moon Shot {0}", "The Very Long Name Of A Wrapped Bridged Liquid Staking Derivative Of Token {0}",
        "Straße {0}", "Ethereum Name Service (Bridged from Ethereum) {0}", "Ψ Token {0}", "Рубль {0}",
    ];

    private static readonly string[] ChangeWindows = ["14d", "1h", "1y", "200d", "24h", "30d", "7d"];

    private enum Style
    {
        CoinGecko,
        Python,
        JavaScript,
    }

    /// <summary>Writes a raw snapshot of <paramref name="coins"/> page elements to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, int coins, DateTimeOffset fetchTime, int seed = 18)
    {
        var metadata = RawSnapshots.Metadata(fetchTime, (coins + PerPage - 1) / PerPage);
        using var writer = new CryptoEtl.Core.RawSnapshotWriter(stream, metadata, SyntheticMarket.Global(coins), validate: false);
        var random = new Random(seed);
        var ranked = coins * 3 / 5;
        var page = new StringBuilder(1 << 20);
        for (var start = 0; start < coins; start += PerPage)
        {
            // Most pages as CoinGecko sends them; some as a Python or Node re-serializer would.
            var style = (start / PerPage % 10) switch
            {
                7 or 8 => Style.Python,
                9 => Style.JavaScript,
                _ => Style.CoinGecko,
            };
            page.Clear().Append('[');
            for (var i = start; i < Math.Min(start + PerPage, coins); i++)
            {
                if (i > start)
                {
                    page.Append(style == Style.Python ? ", " : ",");
                }

                var id = i > PerPage && random.Next(2000) == 0 ? random.Next(i - PerPage) : i;
                // One page in four was asked for price_change_percentage=1h,24h,7d,...
                WriteCoin(page, random, style, id, i < ranked ? i + 1 : null, changeWindows: start / PerPage % 4 == 0);
            }

            page.Append(']');
            writer.WritePage(Encoding.UTF8.GetBytes(page.ToString()));
            writer.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        writer.CompleteAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private static void WriteCoin(StringBuilder json, Random random, Style style, int n, int? rank, bool changeWindows)
    {
        var separator = style == Style.Python ? ", " : ",";
        var first = true;
        json.Append('{');
        void Name(string name)
        {
            if (!first)
            {
                json.Append(separator);
            }

            first = false;
            json.Append('"').Append(name).Append(style == Style.Python ? "\": " : "\":");
        }

        void Text(string name, string value)
        {
            Name(name);
            AppendString(json, value, style);
        }

        void Number(string name, double? value, bool integral = false)
        {
            Name(name);
            AppendNumber(json, value, style, integral);
        }

        Text("id", n % 13 == 0 ? $"wrapped-bridged-liquid-staked-token-{n}" : $"coin-{n}");
        Text("symbol", n % 17 == 0 ? $"wbl{n}" : SyntheticMarket.Symbol(n));
        Text("name", string.Format(CultureInfo.InvariantCulture, Names[n % 7 == 0 ? (n / 7) % Names.Length : 0], n));
        Text("image", $"https://coin-images.coingecko.com/coins/images/{n}/large/{(n % 5 == 0 ? "Wrapped_Token_Logo_200x200" : "coin")}-{n}.png?{1696501400 + n}");

        var roll = random.Next(1000);
        double? price = roll == 0 ? null : SyntheticMarket.LogUniform(random, 1e-10, 1.2e5);
        object? priceValue = roll switch
        {
            1 when n % 3 == 0 => -price,            // negative_current_price
            2 when n % 3 == 0 => "1.5",              // invalid_current_price (a string)
            _ => price,
        };
        var marketCap = rank is { } r ? Math.Round(2e12 / Math.Pow(r, 1.3) * (0.8 + (0.4 * random.NextDouble()))) : 0;
        var supply = price is { } p && marketCap > 0 ? Math.Min(marketCap / p, 1e18) : SyntheticMarket.LogUniform(random, 1e3, 1e18);
        var has24h = random.Next(50) != 0;
        Name("current_price");
        if (priceValue is string s)
        {
            AppendString(json, s, style);
        }
        else
        {
            AppendNumber(json, (double?)priceValue, style, integral: false);
        }

        Number("market_cap", marketCap, integral: true);
        Number("market_cap_rank", rank, integral: true);
        Number("fully_diluted_valuation", random.Next(5) < 2 ? null : Math.Round(marketCap * (1 + random.NextDouble())), integral: true);
        Number("total_volume", Math.Round(marketCap * random.NextDouble() * 0.2) + random.Next(1000), integral: true);
        Number("high_24h", has24h ? price * 1.03 : null);
        Number("low_24h", has24h ? price * 0.97 : null);
        Number("price_change_24h", has24h ? price * ((random.NextDouble() * 0.1) - 0.05) : null);
        Number("price_change_percentage_24h", has24h ? Math.Round((random.NextDouble() * 10) - 5, 5) : null);
        Number("market_cap_change_24h", has24h ? marketCap * ((random.NextDouble() * 0.1) - 0.05) : null);
        Number("market_cap_change_percentage_24h", has24h ? Math.Round((random.NextDouble() * 10) - 5, 5) : null);
        Number("circulating_supply", supply);
        Number("total_supply", random.Next(10) == 0 ? null : Math.Round(supply * 1.2));
        Number("max_supply", random.Next(100) < 45 ? null : Math.Round(supply * 2));
        Number("ath", price * 3);
        Number("ath_change_percentage", Math.Round(-random.NextDouble() * 99, 5));
        Text("ath_date", "2024-12-17T15:02:41.429Z");
        Number("atl", price / 10);
        Number("atl_change_percentage", Math.Round(random.NextDouble() * 1e5, 5));
        Text("atl_date", "2013-07-06T00:00:00.000Z");
        Name("roi");
        if (random.Next(100) < 14)
        {
            var times = random.NextDouble() * 100;
            json.Append('{');
            first = true;
            Number("times", times);
            Text("currency", random.Next(2) == 0 ? "usd" : "btc");
            Number("percentage", times * 100);
            json.Append('}');
            first = false;
        }
        else
        {
            json.Append("null");
        }

        Text("last_updated", "2026-11-25T11:59:31.946Z");
        if (random.Next(1000) < 15)
        {
            Name("sparkline_in_7d");
            json.Append(style == Style.Python ? "{\"price\": [" : "{\"price\":[");
            var point = price ?? 1;
            for (var i = 0; i < 168; i++)
            {
                if (i > 0)
                {
                    json.Append(separator);
                }

                point *= 1 + ((random.NextDouble() - 0.5) * 0.01);
                AppendNumber(json, point, style, integral: false);
            }

            json.Append("]}");
        }

        if (changeWindows)
        {
            foreach (var window in ChangeWindows)
            {
                Number($"price_change_percentage_{window}_in_currency", random.Next(30) == 0 ? null : (random.NextDouble() * 40) - 20);
            }
        }

        json.Append('}');
    }

    private static void AppendString(StringBuilder json, string value, Style style)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case > '\u007e' when style == Style.Python:
                    // json.dumps' ensure_ascii: every non-ASCII UTF-16 unit escaped (emoji as a surrogate pair).
                    json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    json.Append(c);
                    break;
            }
        }

        json.Append('"');
    }

    private static void AppendNumber(StringBuilder json, double? value, Style style, bool integral)
    {
        if (value is not { } v)
        {
            json.Append("null");
            return;
        }

        if (integral && Math.Abs(v) < 1e15)
        {
            json.Append(((long)v).ToString(CultureInfo.InvariantCulture));
            if (style == Style.Python && v != Math.Floor(v))
            {
                json.Append(".0");
            }

            return;
        }

        var text = v.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            var mantissa = text[..e];
            var exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
            text = style switch
            {
                // Python's repr: two exponent digits at least ("3.711857321470539e-09").
                Style.Python or Style.CoinGecko => $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}",
                _ => $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent)}",
            };
        }
        else if (style == Style.Python && !text.Contains('.', StringComparison.Ordinal))
        {
            text += ".0";
        }

        json.Append(text);
    }
}
