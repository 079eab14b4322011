using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Testing;

/// <summary>
/// A CoinGecko stand-in on 127.0.0.1 (LocalHttpServer) that enforces a rate the way CoinGecko
/// states it, calls per minute: a call that would make more than <c>limit</c> calls in the trailing
/// 60 s on the injected clock (both ends included, refused calls counted: stricter than needed) gets
/// CoinGecko's 429 JSON with a Retry-After of the seconds until the window has room. It can also
/// inject seeded 429s (half CoinGecko's JSON with Retry-After 1-5 s, half a CDN's HTML page with
/// none), and logs the clock time of every call.
/// </summary>
public sealed class WindowLimitedCoinGecko : IAsyncDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // CoinGecko's 429 body (docs: "Errors & Rate Limits"; the shape of tests/data/coingecko recordings).
    private const string RateLimitJson = """{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}""";

    private readonly LocalHttpServer _server;
    private readonly Lock _gate = new();
    private readonly List<DateTimeOffset> _calls = [];
    private readonly TimeProvider _clock;
    private readonly int _limit;
    private readonly IReadOnlyList<byte[]> _pages;
    private readonly byte[] _global;
    private readonly double _inject429Rate;
    private readonly Random _random;
    private bool _overLimitAsCdnPage;

    private WindowLimitedCoinGecko(LocalHttpServer server, TimeProvider clock, int limit, IReadOnlyList<byte[]> pages, byte[] global, double inject429Rate, int seed)
    {
        _server = server;
        _clock = clock;
        _limit = limit;
        _pages = pages;
        _global = global;
        _inject429Rate = inject429Rate;
        _random = new Random(seed);
    }

    public Uri BaseUrl => new(_server.BaseAddress, "api/v3");

    /// <summary>The clock time of every call, in order.</summary>
    public IReadOnlyList<DateTimeOffset> CallTimes
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Calls refused because the trailing window was full.</summary>
    public int OverLimit { get; private set; }

    public int Injected429s { get; private set; }

    /// <summary>The most calls the log has in any trailing 60 s, both ends included.</summary>
    public int MostCallsInAnyWindow => MostInAnyWindow(CallTimes);

    /// <summary>
    /// Over the limit the answer is CoinGecko's JSON with Retry-After, or with <paramref name="overLimitAsCdnPage"/>
    /// a CDN's HTML 429 with none (a client then has only its backoff and its own pacing).
    /// </summary>
    public static async Task<WindowLimitedCoinGecko> StartAsync(
        TimeProvider clock, int limit, IReadOnlyList<byte[]> pages, byte[] global, double inject429Rate = 0, int seed = 2026, bool overLimitAsCdnPage = false)
    {
        WindowLimitedCoinGecko? standIn = null;
        var server = await LocalHttpServer.StartAsync(context => standIn!.AnswerAsync(context));
        standIn = new WindowLimitedCoinGecko(server, clock, limit, pages, global, inject429Rate, seed) { _overLimitAsCdnPage = overLimitAsCdnPage };
        return standIn;
    }

    public static int MostInAnyWindow(IReadOnlyList<DateTimeOffset> times)
    {
        var most = 0;
        for (int end = 0, start = 0; end < times.Count; end++)
        {
            while (times[start] < times[end] - Window)
            {
                start++;
            }

            most = Math.Max(most, end - start + 1);
        }

        return most;
    }

    private Task AnswerAsync(HttpContext context)
    {
        bool overLimit, inject;
        int retryAfter;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _calls.Add(now);
            var inWindow = _calls.Count(at => at >= now - Window);
            overLimit = inWindow > _limit;
            if (overLimit)
            {
                OverLimit++;
                // Room comes when the call that makes the window too full leaves it.
                var leaving = _calls[_calls.Count - 1 - _limit];
                retryAfter = (int)Math.Ceiling((leaving + Window - now).TotalSeconds + 0.001);
                inject = false;
            }
            else
            {
                inject = _random.NextDouble() < _inject429Rate;
                retryAfter = _random.Next(1, 6);
                Injected429s += inject ? 1 : 0;
            }
        }

        if ((overLimit && !_overLimitAsCdnPage) || (inject && retryAfter % 2 == 0))
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return SendAsync(context, 429, RateLimitJson);
        }

        if (overLimit || inject)
        {
            return SendAsync(context, 429, "<html><head><title>429 Too Many Requests</title></head></html>", "text/html");
        }

        var path = context.Request.Path.Value ?? "";
        if (path.EndsWith("/global", StringComparison.Ordinal))
        {
            return SendAsync(context, 200, _global);
        }

        var page = int.Parse(context.Request.Query["page"].ToString(), CultureInfo.InvariantCulture);
        return page <= _pages.Count ? SendAsync(context, 200, _pages[page - 1]) : SendAsync(context, 200, "[]");
    }

    private static Task SendAsync(HttpContext context, int status, string body, string contentType = "application/json; charset=utf-8") =>
        SendAsync(context, status, Encoding.UTF8.GetBytes(body), contentType);

    private static Task SendAsync(HttpContext context, int status, byte[] body, string contentType = "application/json; charset=utf-8")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
