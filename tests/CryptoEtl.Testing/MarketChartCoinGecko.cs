using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Testing;

/// <summary>
/// A CoinGecko stand-in on 127.0.0.1 for backfills: /coins/markets and /global of a synthetic
/// market of N coins (<see cref="SyntheticMarket"/>), and /coins/{id}/market_chart for each of
/// them in the documented shape (docs.coingecko.com/reference/coins-id-market-chart): above 90
/// days one point a day at 00:00 UTC plus a last point at the moment of the call; 2 to 90 days one
/// an hour, a few seconds past it (as in the real answers of tests/data/coingecko/market_chart);
/// 1 day every 5 minutes. It refuses what CoinGecko refuses: more than 365 days without a Pro key
/// (HTTP 401 with error 10012, the body quoted in github.com/SixPM-Software/waxtax/pull/8; 401 per
/// github.com/ghostfolio/ghostfolio/issues/3231), an id it does not know (404,
/// {"error":"Could not find coin with the given id"}, github.com/man-c/pycoingecko/issues/67),
/// and a call without vs_currency or days (both required by the docs; 400).
/// Values are a deterministic function of the coin and the time (<see cref="Price"/>), so a test
/// computes the expected rows on its own.
/// </summary>
public sealed class MarketChartCoinGecko : IAsyncDisposable
{
    private const string PastPlanBody = """{"error":{"status":{"timestamp":"2024-04-20T22:00:05.123+00:00","error_code":10012,"error_message":"Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past 365 days. Upgrade to a paid plan to enjoy full historical data access: https://www.coingecko.com/en/api/pricing. "}}}""";

    private readonly LocalHttpServer _server;
    private readonly JsonArray _coins;
    private readonly byte[] _global;
    private readonly TimeProvider _clock;

    private MarketChartCoinGecko(LocalHttpServer server, JsonArray coins, byte[] global, TimeProvider clock)
    {
        _server = server;
        _coins = coins;
        _global = global;
        _clock = clock;
    }

    public Uri BaseUrl => new(_server.BaseAddress, "api/v3");

    public IReadOnlyList<string> CoinIds => [.. _coins.Select(c => (string)c!["id"]!)];

    /// <summary>market_chart calls per coin id.</summary>
    public ConcurrentDictionary<string, int> ChartCalls { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<RecordedRequest> Requests => _server.Requests;

    public static async Task<MarketChartCoinGecko> StartAsync(int coins, TimeProvider? clock = null)
    {
        var page = JsonNode.Parse(SyntheticMarket.Pages(coins).First())!.AsArray();
        MarketChartCoinGecko? standIn = null;
        var server = await LocalHttpServer.StartAsync(context => standIn!.AnswerAsync(context));
        standIn = new MarketChartCoinGecko(server, page, SyntheticMarket.Global(coins), clock ?? TimeProvider.System);
        return standIn;
    }

    /// <summary>The stand-in's price of <paramref name="coinId"/> at <paramref name="unixMs"/>; market cap and volume derive from it.</summary>
    public static double Price(string coinId, long unixMs)
    {
        var n = int.Parse(coinId.AsSpan("coin-".Length), CultureInfo.InvariantCulture);
        return Math.Round((100.0 / (n + 1)) * (1.5 + Math.Sin(unixMs / 86_400_000.0 / 7 + n)), 6);
    }

    public static double MarketCap(string coinId, long unixMs) => Math.Round(Price(coinId, unixMs) * 1e7 * (1000 - int.Parse(coinId.AsSpan(5), CultureInfo.InvariantCulture)), 2);

    public static double Volume(string coinId, long unixMs) => Math.Round(MarketCap(coinId, unixMs) / 20, 2);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var query = context.Request.Query;
        if (path == "/api/v3/global")
        {
            await Json(context, 200, _global);
        }
        else if (path == "/api/v3/coins/markets")
        {
            var perPage = int.Parse(query["per_page"].ToString() is { Length: > 0 } p ? p : "100", CultureInfo.InvariantCulture);
            var pageNumber = int.Parse(query["page"].ToString() is { Length: > 0 } n ? n : "1", CultureInfo.InvariantCulture);
            var slice = new JsonArray([.. _coins.Skip((pageNumber - 1) * perPage).Take(perPage).Select(c => c!.DeepClone())]);
            await Json(context, 200, Encoding.UTF8.GetBytes(slice.ToJsonString()));
        }
        else if (path.StartsWith("/api/v3/coins/", StringComparison.Ordinal) && path.EndsWith("/market_chart", StringComparison.Ordinal))
        {
            var id = path["/api/v3/coins/".Length..^"/market_chart".Length];
            ChartCalls.AddOrUpdate(id, 1, (_, calls) => calls + 1);
            var proKey = context.Request.Headers.ContainsKey("x-cg-pro-api-key");
            if (!int.TryParse(query["days"], NumberStyles.None, CultureInfo.InvariantCulture, out var days) || string.IsNullOrEmpty(query["vs_currency"]))
            {
                await Json(context, 400, """{"error":"Missing parameter vs_currency or days"}"""u8.ToArray());
            }
            else if (days > 365 && !proKey)
            {
                await Json(context, 401, Encoding.UTF8.GetBytes(PastPlanBody));
            }
            else if (!CoinIds.Contains(id))
            {
                await Json(context, 404, """{"error":"Could not find coin with the given id"}"""u8.ToArray());
            }
            else
            {
                await Json(context, 200, Encoding.UTF8.GetBytes(Chart(id, days, _clock.GetUtcNow())));
            }
        }
        else
        {
            await Json(context, 404, """{"error":"Incorrect path. Please check https://www.coingecko.com/api/"}"""u8.ToArray());
        }
    }

    /// <summary>The answer's timestamps: CoinGecko's automatic granularity, ending with the moment of the call.</summary>
    public static IReadOnlyList<long> Times(int days, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var from = nowMs - (days * 86_400_000L);
        var times = new List<long>();
        if (days > 90)
        {
            for (var t = from - (from % 86_400_000L) + 86_400_000L; t < nowMs; t += 86_400_000L)
            {
                times.Add(t);
            }
        }
        else
        {
            var step = days == 1 ? 300_000L : 3_600_000L;
            for (var t = from - (from % step) + step + 1_234; t < nowMs; t += step)
            {
                times.Add(t);
            }
        }

        times.Add(nowMs);
        return times;
    }

    private static string Chart(string id, int days, DateTimeOffset now)
    {
        var times = Times(days, now);
        string Series(Func<string, long, double> value) =>
            "[" + string.Join(",", times.Select(t => string.Create(CultureInfo.InvariantCulture, $"[{t},{value(id, t):R}]"))) + "]";
        return $$"""{"prices":{{Series(Price)}},"market_caps":{{Series(MarketCap)}},"total_volumes":{{Series(Volume)}}}""";
    }

    private static async Task Json(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body);
    }
}
