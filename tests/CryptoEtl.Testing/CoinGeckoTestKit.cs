using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Testing;

/// <summary>One request the fake CoinGecko saw: which (0-based), the path and query, the page, and when on the clock.</summary>
public sealed record CoinGeckoCall(int Index, string PathAndQuery, int? Page, DateTimeOffset At, IReadOnlyDictionary<string, string> Headers)
{
    public bool IsGlobal => PathAndQuery.StartsWith("/api/v3/global", StringComparison.Ordinal);

    public bool IsMarkets => PathAndQuery.StartsWith("/api/v3/coins/markets", StringComparison.Ordinal);
}

/// <summary>CoinGecko on 127.0.0.1 (real Kestrel): a script decides each answer; every call is recorded.</summary>
public sealed class FakeCoinGecko : IAsyncDisposable
{
    private readonly LocalHttpServer _server;
    private readonly ConcurrentQueue<CoinGeckoCall> _calls;

    private FakeCoinGecko(LocalHttpServer server, ConcurrentQueue<CoinGeckoCall> calls)
    {
        _server = server;
        _calls = calls;
    }

    public Uri BaseUrl => new(_server.BaseAddress, "api/v3");

    public int Port => _server.BaseAddress.Port;

    public IReadOnlyList<CoinGeckoCall> Calls => [.. _calls];

    public IReadOnlyList<CoinGeckoCall> MarketCalls => [.. _calls.Where(c => c.IsMarkets)];

    public static async Task<FakeCoinGecko> StartAsync(TimeProvider clock, Func<CoinGeckoCall, HttpContext, Task> answer)
    {
        var calls = new ConcurrentQueue<CoinGeckoCall>();
        var index = -1;
        var server = await LocalHttpServer.StartAsync(context =>
        {
            var page = int.TryParse(context.Request.Query["page"], out var p) ? p : (int?)null;
            var call = new CoinGeckoCall(
                Interlocked.Increment(ref index),
                context.Request.Path + context.Request.QueryString,
                page,
                clock.GetUtcNow(),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            calls.Enqueue(call);
            return answer(call, context);
        });
        return new FakeCoinGecko(server, calls);
    }

    /// <summary>A market of <paramref name="pages"/> full pages (then []), and the recorded /global.</summary>
    public static Func<CoinGeckoCall, HttpContext, Task> Market(int pages, Func<int, byte[]>? page = null, byte[]? global = null) =>
        (call, context) => call.IsGlobal ? Send(context, 200, global ?? Recorded.Global)
            : call.Page is { } n && n <= pages ? Send(context, 200, (page ?? Recorded.Page)(n))
            : Send(context, 200, "[]"u8.ToArray());

    public static Task Send(HttpContext context, int status, byte[] body, string contentType = "application/json; charset=utf-8")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    public static Task Send(HttpContext context, int status, string body, string contentType = "application/json; charset=utf-8") =>
        Send(context, status, Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>A client on this server with a fast pace (pacing tests set their own) and seeded jitter.</summary>
    public CoinGeckoClient Client(TimeProvider clock, Func<CoinGeckoOptions, CoinGeckoOptions>? configure = null, IMarketSourceObserver? observer = null)
    {
        var options = new CoinGeckoOptions { BaseUrl = BaseUrl, CallsPerMinute = 6000, JitterSeed = 42 };
        return new CoinGeckoClient(new HttpClient(), configure?.Invoke(options) ?? options, clock, observer);
    }

    /// <summary>
    /// An HttpClient that sends every host to this server, so a request for pro-api.coingecko.com
    /// keeps its real Host and still only touches 127.0.0.1.
    /// </summary>
    public HttpClient ClientForAnyHost() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Records what an extract tells its observer: retries, waits and progress, in order.</summary>
public sealed class RecordingObserver : IExtractObserver, IMarketSourceObserver
{
    public List<RetryNotice> Retries { get; } = [];

    public List<WaitNotice> Waits { get; } = [];

    public List<ExtractProgress> Progress { get; } = [];

    public void OnRetry(RetryNotice retry) => Retries.Add(retry);

    public void OnWaiting(WaitNotice wait) => Waits.Add(wait);

    public void OnProgress(ExtractProgress progress) => Progress.Add(progress);
}

/// <summary>The recorded CoinGecko responses in tests/data/coingecko, and pages built from them.</summary>
public static class Recorded
{
    private static readonly Lazy<byte[]> Page250 = new(() => File.ReadAllBytes(TestData.CoinGecko(TestData.Markets250)));
    private static readonly Lazy<byte[]> Minified57 = new(() => File.ReadAllBytes(TestData.CoinGecko(TestData.Markets57Minified)));
    private static readonly Lazy<byte[]> GlobalBytes = new(() => File.ReadAllBytes(TestData.CoinGecko(TestData.Global)));

    public static byte[] Global => GlobalBytes.Value;

    /// <summary>The recorded /global with data.active_cryptocurrencies set to <paramref name="activeCoins"/>.</summary>
    public static byte[] GlobalWithActiveCoins(int activeCoins) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Global)
        .Replace("\"active_cryptocurrencies\": 13180", $"\"active_cryptocurrencies\": {activeCoins}", StringComparison.Ordinal));

    public static byte[] Markets57 => Minified57.Value;

    /// <summary>Page 1 is the recording itself; page N has the same coins with ids prefixed "pN-", so pages never share a coin.</summary>
    public static byte[] Page(int page) => page == 1
        ? Page250.Value
        : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Page250.Value).Replace("\"id\": \"", $"\"id\": \"p{page}-", StringComparison.Ordinal));

    /// <summary>
    /// A compact page of <paramref name="perPage"/> coins cut from the 57-coin minified recording
    /// (CoinGecko's own numbers, exponents included), ids made unique per page and slot.
    /// </summary>
    public static byte[] SyntheticPage(int page, int perPage)
    {
        var coins = CoinsOf(Markets57);
        var body = new StringBuilder("[");
        for (var i = 0; i < perPage; i++)
        {
            var coin = Encoding.UTF8.GetString(coins[i % coins.Count]);
            body.Append(i == 0 ? "" : ",").Append(coin.Replace("\"id\":\"", $"\"id\":\"p{page}-{i}-", StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(body.Append(']').ToString());
    }

    public static List<byte[]> CoinsOf(byte[] page)
    {
        var coins = new List<byte[]>();
        var reader = new Utf8JsonReader(page);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            coins.Add(page[start..(int)reader.BytesConsumed]);
        }

        return coins;
    }

    public static int CountCoins(byte[] page) => CoinsOf(page).Count;
}
