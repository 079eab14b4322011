using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;

namespace CryptoEtl.Bench;

/// <summary>
/// A CoinGecko stand-in on 127.0.0.1 serving a synthetic market over real HTTP: Kestrel
/// (LocalHttpServer) in front of RecordedCoinGeckoHandler, which already answers CoinGecko's
/// /coins/markets and /global the way the API does.
/// </summary>
public sealed class CoinGeckoStandIn : IAsyncDisposable
{
    private readonly LocalHttpServer _server;

    private CoinGeckoStandIn(LocalHttpServer server) => _server = server;

    /// <summary>The API base URL, like https://api.coingecko.com/api/v3.</summary>
    public Uri BaseUrl => new(_server.BaseAddress, "api/v3");

    public static async Task<CoinGeckoStandIn> StartAsync(int coins)
    {
        var pages = SyntheticMarket.Pages(coins).ToList();
        var invoker = new HttpMessageInvoker(new RecordedCoinGeckoHandler(pages, SyntheticMarket.Global(coins)));
        var server = await LocalHttpServer.StartAsync(async context =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Parse(context.Request.Method), new Uri($"http://coingecko.invalid{context.Request.Path}{context.Request.QueryString}"));
            using var response = await invoker.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = "application/json";
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        return new CoinGeckoStandIn(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
