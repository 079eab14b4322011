namespace CryptoEtl.Core;

/// <summary>
/// The raw object Extract writes and Transform reads. CoinGecko's bytes are embedded verbatim
/// (numbers are never re-rounded), after the request metadata, in this order:
/// <code>
/// {
///   "metadata": { "source": "CoinGecko", "attribution": "Data provided by CoinGecko",
///                 "fetch_time": "2026-11-25T12:00:00Z", "vs_currency": "usd", "per_page": 250,
///                 "pages_requested": "2" | "all", "pages_fetched": 2, "complete": true,
///                 "next_page": null, "urls": ["https://.../coins/markets?...", ...],
///                 "global_url": "https://.../global", "coins": 500, "active_coins": 13180,
///                 "end_doubt": null | "why the last page may not be the end of the market" },
///   "global": { ...the /global response, verbatim... } | null,
///   "pages": [ [ ...page 1 array, verbatim... ], [ ...page 2... ] ]
/// }
/// </code>
/// "global" comes before "pages" so a streaming reader knows global.total_market_cap before the
/// first coin.
/// </summary>
public static class RawSnapshot
{
    public const string Metadata = "metadata";
    public const string Global = "global";
    public const string Pages = "pages";

    public const string Source = "source";
    public const string Attribution = "attribution";
    public const string FetchTime = "fetch_time";
    public const string VsCurrency = "vs_currency";
    public const string PerPage = "per_page";
    public const string PagesRequested = "pages_requested";
    public const string PagesFetched = "pages_fetched";
    public const string Complete = "complete";
    public const string NextPage = "next_page";
    public const string Urls = "urls";
    public const string GlobalUrl = "global_url";
    public const string Coins = "coins";
    public const string ActiveCoins = "active_coins";
    public const string EndDoubt = "end_doubt";

    public const string CoinGeckoAttribution = "Data provided by CoinGecko";
}
