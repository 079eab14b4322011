using System.Globalization;
using CryptoEtl.Testing;

namespace CryptoEtl.CoinGecko.Tests;

public sealed class CoinGeckoClientTests
{
    private const string RateLimitJson =
        """{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}""";

    private const string CloudflareHtml =
        "<!DOCTYPE html><html><head><title>Too Many Requests | api.coingecko.com | Cloudflare</title></head><body><h1>Error 1015</h1><p>You are being rate limited</p></body></html>";

    private readonly SimulatedClock _clock = new();

    [Fact]
    public async Task Markets_page_is_returned_byte_for_byte_with_the_documented_query()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var client = server.Client(_clock);

        var page = await client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Page(1), page.Json);
        Assert.Equal(250, page.CoinIds.Count);
        Assert.Equal("bitcoin", page.CoinIds[0]);
        var call = Assert.Single(server.Calls);
        Assert.Equal("/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=250&page=1&price_change_percentage=24h", call.PathAndQuery);
        Assert.StartsWith("CryptoEtl/", call.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.DoesNotContain(call.Headers.Keys, h => h.StartsWith("x-cg-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Exponent_numbers_survive_byte_for_byte()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1, _ => Recorded.Markets57));
        var page = await server.Client(_clock).GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Markets57, page.Json);
        Assert.Contains("e+", System.Text.Encoding.UTF8.GetString(page.Json), StringComparison.Ordinal);
        Assert.Equal(57, page.CoinIds.Count);
    }

    [Fact]
    public async Task Global_is_returned_byte_for_byte()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var global = await server.Client(_clock).GetGlobalAsync(CancellationToken.None);

        Assert.Equal(Recorded.Global, global.Json);
        Assert.Equal(new Uri(server.BaseUrl + "/global"), global.Url);
        Assert.Equal("/api/v3/global", Assert.Single(server.Calls).PathAndQuery);
    }

    [Fact]
    public async Task Demo_key_goes_in_the_demo_header_on_the_public_host()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var options = new CoinGeckoOptions { BaseUrl = new Uri("http://api.coingecko.com/api/v3"), ApiKey = "CG-demo-key" };
        var client = new CoinGeckoClient(server.ClientForAnyHost(), options, _clock);

        await client.GetGlobalAsync(CancellationToken.None);

        var call = Assert.Single(server.Calls);
        Assert.Equal(CoinGeckoTier.Demo, options.Tier);
        Assert.Equal("CG-demo-key", call.Headers["x-cg-demo-api-key"]);
        Assert.False(call.Headers.ContainsKey("x-cg-pro-api-key"));
        Assert.Equal("api.coingecko.com", call.Headers["Host"]);
        Assert.DoesNotContain("CG-demo-key", call.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pro_key_goes_in_the_pro_header_on_the_pro_host()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var options = new CoinGeckoOptions { BaseUrl = new Uri("http://pro-api.coingecko.com/api/v3"), ApiKey = "CG-pro-key" };
        var client = new CoinGeckoClient(server.ClientForAnyHost(), options, _clock);

        await client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        var call = Assert.Single(server.Calls);
        Assert.Equal(CoinGeckoTier.Pro, options.Tier);
        Assert.Equal("CG-pro-key", call.Headers["x-cg-pro-api-key"]);
        Assert.False(call.Headers.ContainsKey("x-cg-demo-api-key"));
        Assert.Equal("pro-api.coingecko.com", call.Headers["Host"]);
    }

    [Fact]
    public void Pace_defaults_follow_the_tier()
    {
        Assert.Equal(CoinGeckoOptions.KeylessCallsPerMinute, new CoinGeckoOptions().EffectiveCallsPerMinute);
        Assert.Equal(CoinGeckoOptions.DemoCallsPerMinute, new CoinGeckoOptions { ApiKey = "k" }.EffectiveCallsPerMinute);
        Assert.Equal(CoinGeckoOptions.ProCallsPerMinute, new CoinGeckoOptions { ApiKey = "k", BaseUrl = new Uri("https://pro-api.coingecko.com/api/v3") }.EffectiveCallsPerMinute);
        Assert.Equal(77, new CoinGeckoOptions { ApiKey = "k", CallsPerMinute = 77 }.EffectiveCallsPerMinute);
    }

    [Fact]
    public void Options_from_the_environment_reject_a_bad_rate()
    {
        var env = new Dictionary<string, string?> { [SettingNames.CoinGeckoRatePerMinute] = "fast" };
        var ex = Assert.Throws<PipelineException>(() => CoinGeckoOptions.FromSettings(n => env.GetValueOrDefault(n), null));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(SettingNames.CoinGeckoRatePerMinute, ex.Message, StringComparison.Ordinal);

        env[SettingNames.CoinGeckoRatePerMinute] = "100";
        env[SettingNames.CoinGeckoApiUrl] = "https://pro-api.coingecko.com/api/v3";
        var options = CoinGeckoOptions.FromSettings(n => env.GetValueOrDefault(n), " key ");
        Assert.Equal(100, options.EffectiveCallsPerMinute);
        Assert.Equal("key", options.ApiKey);
        Assert.Equal(CoinGeckoTier.Pro, options.Tier);
    }

    [Fact]
    public async Task Calls_up_to_the_rate_go_at_once_and_the_next_wait_until_the_trailing_minute_has_room()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(6));
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 2.9 });

        for (var page = 1; page <= 5; page++)
        {
            await client.GetMarketsPageAsync("usd", 250, page, CancellationToken.None);
        }

        // 2.9 a minute is 2 in any minute; each call waits for the one two before it to be 60 s (+1 s guard) old.
        var times = server.Calls.Select(c => (c.At - SimulatedClock.Origin).TotalSeconds).ToArray();
        Assert.Equal([0, 0, 61, 61, 122], times);
    }

    [Fact]
    public async Task Rate_limited_429_json_with_retry_after_2_waits_2_seconds_and_succeeds()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
        {
            if (call.Index == 0)
            {
                context.Response.Headers.RetryAfter = "2";
                return FakeCoinGecko.Send(context, 429, RateLimitJson);
            }

            return FakeCoinGecko.Send(context, 200, Recorded.Page(1));
        });
        var observer = new RecordingObserver();
        var retries = observer.Retries;
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000 }, observer);

        var page = await client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(250, page.CoinIds.Count);
        Assert.Equal(2, server.Calls.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), server.Calls[1].At - server.Calls[0].At);
        var retry = Assert.Single(retries);
        Assert.Equal(TimeSpan.FromSeconds(2), retry.Delay);
        Assert.Contains("exceeded the Rate Limit", retry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limited_429_html_without_retry_after_backs_off_and_succeeds()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.Index < 2
            ? FakeCoinGecko.Send(context, 429, CloudflareHtml, "text/html; charset=UTF-8")
            : FakeCoinGecko.Send(context, 200, Recorded.Page(1)));
        var observer = new RecordingObserver();
        var retries = observer.Retries;
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000, JitterSeed = 7 }, observer);

        var page = await client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Page(1), page.Json);
        Assert.Equal(3, server.Calls.Count);
        Assert.Equal(2, retries.Count);
        // Backoff with equal jitter: the first wait is 1..2 s, the second 2..4 s.
        Assert.InRange(retries[0].Delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(retries[1].Delay, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        Assert.Equal(retries[0].Delay, server.Calls[1].At - server.Calls[0].At);
        Assert.Equal(retries[1].Delay, server.Calls[2].At - server.Calls[1].At);
        Assert.Contains("Cloudflare", retries[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured()
    {
        var retryAt = SimulatedClock.Origin.AddSeconds(7);
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
        {
            if (call.Index == 0)
            {
                context.Response.Headers.RetryAfter = retryAt.ToString("r", CultureInfo.InvariantCulture);
                return FakeCoinGecko.Send(context, 429, RateLimitJson);
            }

            return FakeCoinGecko.Send(context, 200, Recorded.Global);
        });

        await server.Client(_clock).GetGlobalAsync(CancellationToken.None);

        Assert.Equal(2, server.Calls.Count);
        Assert.Equal(retryAt, server.Calls[1].At);
    }

    [Fact]
    public async Task Rate_limited_on_every_try_fails_after_the_budget_with_CoinGeckoRateLimited()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) => FakeCoinGecko.Send(context, 429, RateLimitJson));
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000, MaxRetries = 3 });

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoRateLimited, ex.ErrorName);
        Assert.True(ex.IsTransient);
        Assert.Equal(4, server.Calls.Count);
        Assert.Contains("after 4 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/coins/markets?vs_currency=usd", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_longer_than_allowed_fails_at_once_as_rate_limited()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) =>
        {
            context.Response.Headers.RetryAfter = "3600";
            return FakeCoinGecko.Send(context, 429, RateLimitJson);
        });

        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoRateLimited, ex.ErrorName);
        Assert.Single(server.Calls);
        Assert.Contains("3600 s", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, string, string> AuthFailures => new()
    {
        { 401, """{"status":{"error_code":401,"error_message":"Unauthorized"}}""", "rejected the Demo API key" },
        { 400, """{"status":{"error_code":10002,"error_message":"API Key Missing"}}""", "did not find the API key" },
        { 400, """{"timestamp":"2025-09-01T13:07:05.880+00:00","error_code":10010,"status":{"error_message":"If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com"}}""", "is a Pro key" },
        { 401, """{"error":{"status":{"error_code":10011,"error_message":"If you are using Demo API key, please change your root URL from pro-api.coingecko.com to api.coingecko.com"}}}""", "is a Demo key" },
        { 403, "<html><head><title>Access denied | api.coingecko.com used Cloudflare to restrict access</title></head></html>", "refused access" },
    };

    [Theory]
    [MemberData(nameof(AuthFailures))]
    public async Task Key_problems_fail_at_once_with_CoinGeckoAuth(int status, string body, string keyProblem)
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) => FakeCoinGecko.Send(context, status, body));
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, ApiKey = "CG-secret-key" });

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoAuth, ex.ErrorName);
        Assert.False(ex.IsTransient);
        Assert.Contains(keyProblem, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CG-secret-key", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task Missing_key_10002_without_a_key_says_which_setting_to_set()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) =>
            FakeCoinGecko.Send(context, 401, """{"status":{"error_code":10002,"error_message":"API Key Missing"}}"""));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoAuth, ex.ErrorName);
        Assert.Contains(SettingNames.CoinGeckoApiKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains("API Key Missing", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Calls);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Server_errors_are_retried(int status)
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.Index == 0
            ? FakeCoinGecko.Send(context, status, "<html><head><title>502 Bad Gateway</title></head></html>", "text/html")
            : FakeCoinGecko.Send(context, 200, Recorded.Page(1)));

        var page = await server.Client(_clock).GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Page(1), page.Json);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Server_errors_on_every_try_fail_as_CoinGeckoUnavailable()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) => FakeCoinGecko.Send(context, 503, """{"error":"Service Unavailable"}"""));
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000, MaxRetries = 2 });

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoUnavailable, ex.ErrorName);
        Assert.Equal(3, server.Calls.Count);
        Assert.Contains("Service Unavailable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_reset_is_retried()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
        {
            if (call.Index == 0)
            {
                context.Abort();
                return Task.CompletedTask;
            }

            return FakeCoinGecko.Send(context, 200, Recorded.Page(1));
        });
        var observer = new RecordingObserver();
        var retries = observer.Retries;
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000 }, observer);

        var page = await client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Page(1), page.Json);
        Assert.Equal(2, server.Calls.Count);
        Assert.StartsWith("connection failed", Assert.Single(retries).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_is_retried()
    {
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await FakeCoinGecko.StartAsync(_clock, async (call, context) =>
        {
            if (call.Index == 0)
            {
                firstArrived.SetResult();
                // Hang until the client gives up on this request.
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await FakeCoinGecko.Send(context, 200, Recorded.Global);
        });
        var observer = new RecordingObserver();
        var retries = observer.Retries;
        var client = server.Client(_clock, o => new CoinGeckoOptions
        {
            BaseUrl = o.BaseUrl, CallsPerMinute = 6000, RequestTimeout = TimeSpan.FromSeconds(30),
        }, observer);

        var fetch = client.GetGlobalAsync(CancellationToken.None);
        await firstArrived.Task;
        _clock.Advance(TimeSpan.FromSeconds(30));
        var global = await fetch;

        Assert.Equal(Recorded.Global, global.Json);
        Assert.Equal(2, server.Calls.Count);
        Assert.Contains("within 30 s", Assert.Single(retries).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("html")]
    [InlineData("error-object")]
    public async Task A_bad_200_body_is_retried_once_then_fails_as_CoinGeckoBadResponse(string kind)
    {
        var body = kind switch
        {
            "truncated" => Recorded.Page(1)[..4096],
            "html" => System.Text.Encoding.UTF8.GetBytes("<html><head><title>Just a moment...</title></head></html>"),
            _ => System.Text.Encoding.UTF8.GetBytes(RateLimitJson),
        };
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) => FakeCoinGecko.Send(context, 200, body));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetMarketsPageAsync("usd", 250, 3, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Equal(2, server.Calls.Count);
        Assert.Contains("page=3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_200_then_a_good_one_succeeds()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
            FakeCoinGecko.Send(context, 200, call.Index == 0 ? Recorded.Page(1)[..^10] : Recorded.Page(1)));

        var page = await server.Client(_clock).GetMarketsPageAsync("usd", 250, 1, CancellationToken.None);

        Assert.Equal(Recorded.Page(1), page.Json);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Global_without_data_is_a_bad_response()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) => FakeCoinGecko.Send(context, 200, "[]"));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("/global", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_request_is_invalid_input_and_not_found_is_configuration()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.IsGlobal
            ? FakeCoinGecko.Send(context, 404, """{"error":"Not Found"}""")
            : FakeCoinGecko.Send(context, 400, """{"error":"invalid vs_currency"}"""));
        var client = server.Client(_clock);

        var bad = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketsPageAsync("zzz", 250, 1, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<PipelineException>(() => client.GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, bad.ErrorName);
        Assert.Contains("invalid vs_currency", bad.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorNames.Configuration, missing.ErrorName);
        Assert.Contains(SettingNames.CoinGeckoApiUrl, missing.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Per_page_outside_1_to_250_is_refused_without_a_call()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetMarketsPageAsync("usd", 251, 1, CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Empty(server.Calls);
    }
}
