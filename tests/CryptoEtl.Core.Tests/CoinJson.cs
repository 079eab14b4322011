namespace CryptoEtl.Core.Tests;

/// <summary>Coin objects and pages as CoinGecko's /coins/markets writes them, built in the tests.</summary>
public static class CoinJson
{
    /// <summary>A coin with every column set; <paramref name="overrides"/> replace or add properties (raw JSON values).</summary>
    public static string Coin(string id, params (string Name, string? Json)[] overrides)
    {
        var properties = new List<(string Name, string? Json)>
        {
            ("id", $"\"{id}\""), ("symbol", "\"sym\""), ("name", $"\"Name of {id}\""),
            ("image", "\"https://example.invalid/x.png\""), ("current_price", "1.5"), ("market_cap", "1000"),
            ("market_cap_rank", "1"), ("fully_diluted_valuation", "2000"), ("total_volume", "100"),
            ("high_24h", "1.6"), ("low_24h", "1.4"), ("price_change_24h", "-0.01"),
            ("price_change_percentage_24h", "-0.66"), ("market_cap_change_24h", "-10.5"),
            ("market_cap_change_percentage_24h", "-1.04"), ("circulating_supply", "666.0"),
            ("total_supply", "1000.0"), ("max_supply", "1000.0"), ("ath", "3"), ("ath_change_percentage", "-50.0"),
            ("ath_date", "\"2024-12-17T15:02:41.429Z\""), ("atl", "0.1"), ("atl_change_percentage", "1400.0"),
            ("atl_date", "\"2013-07-06T00:00:00.000Z\""), ("roi", "null"), ("last_updated", "\"2026-11-25T11:59:31.946Z\""),
        };
        foreach (var (name, json) in overrides)
        {
            var at = properties.FindIndex(p => p.Name == name);
            if (at >= 0)
            {
                properties[at] = (name, json);
            }
            else
            {
                properties.Add((name, json));
            }
        }

        // A null Json drops the property altogether.
        return "{" + string.Join(',', properties.Where(p => p.Json is not null).Select(p => $"\"{p.Name}\":{p.Json}")) + "}";
    }

    public static string Page(params string[] coins) => "[" + string.Join(',', coins) + "]";
}
