using System.IO.Compression;
using CryptoEtl.Testing;

namespace CryptoEtl.CoinGecko.Tests;

/// <summary>
/// Issue 15 items 7, 9 and 11 at the client: redirects to another host, a gzip bomb, a corrupt gzip
/// body, and paces or URLs a person mistyped. Against a CoinGecko stand-in on 127.0.0.1, with the
/// production handler (<see cref="CoinGeckoClient.CreateDefaultHandler"/>) where decompression or
/// redirects matter.
/// </summary>
public sealed class CoinGeckoHostileServerTests
{
    private const string Key = "CG-secret-key";

    // ~20 MB of JSON whitespace gzips to ~20 KB: the shape of a decompression bomb, small enough to build per run.
    private static readonly Lazy<byte[]> Bomb = new(() => Gzip(new byte[20 * 1024 * 1024].Select(_ => (byte)' ').ToArray()));

    private readonly SimulatedClock _clock = new();

    [Fact]
    public async Task A_redirect_to_another_host_is_not_followed_and_the_key_never_reaches_it()
    {
        await using var elsewhere = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        await using var server = await StartRedirectingToAsync(elsewhere);
        var client = ProductionClient(server, Key);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains($"to another host, http://127.0.0.1:{elsewhere.Port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Calls);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task An_http_client_that_follows_redirects_itself_still_gets_no_data_from_another_host()
    {
        await using var elsewhere = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        await using var server = await StartRedirectingToAsync(elsewhere);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => server.Client(_clock).GetGlobalAsync(CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("the HttpClient followed a redirect", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_on_the_same_host_is_followed_with_the_key_and_the_answering_url_is_recorded()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
        {
            if (call.Index == 0)
            {
                context.Response.Headers.Location = "/api/v3/global?moved=1";
                return FakeCoinGecko.Send(context, 301, "");
            }

            return FakeCoinGecko.Send(context, 200, Recorded.Global);
        });
        var client = ProductionClient(server, Key);

        var global = await client.GetGlobalAsync(CancellationToken.None);

        Assert.Equal(Recorded.Global, global.Json);
        Assert.Equal(new Uri(server.BaseUrl + "/global?moved=1"), global.Url);
        Assert.Equal(["/api/v3/global", "/api/v3/global?moved=1"], server.Calls.Select(c => c.PathAndQuery));
        Assert.All(server.Calls, c => Assert.Equal(Key, c.Headers[CoinGeckoOptions.DemoKeyHeader]));
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_at_the_answer_limit_with_a_named_error_and_not_retried()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            return FakeCoinGecko.Send(context, 200, Bomb.Value);
        });
        var client = ProductionClient(server);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketsPageAsync("usd", 250, 1, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("larger than 8 MB decompressed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("page=1", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task A_corrupt_gzip_body_is_retried_once_then_a_bad_response_naming_the_url()
    {
        var good = Gzip(Recorded.Page(1));
        // The 10-byte gzip header, then deflate blocks of an invalid type.
        var corrupt = good[..10].Concat(Enumerable.Repeat((byte)0xFF, 200)).ToArray();
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            return FakeCoinGecko.Send(context, 200, corrupt);
        });
        var client = ProductionClient(server);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => client.GetMarketsPageAsync("usd", 250, 2, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("page=2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be decompressed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Calls.Count);
    }

    [Theory]
    [InlineData("1e-300")]
    [InlineData("0.001")]
    [InlineData("1e9")]
    public void A_pace_outside_1_to_100000_calls_a_minute_is_a_configuration_error_naming_the_range(string rate)
    {
        var ex = OptionsFailure(SettingNames.CoinGeckoRatePerMinute, rate);

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("--rate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("must be 1 to 100000 calls per minute", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_built_with_a_vanishing_pace_is_a_configuration_error_not_an_overflow()
    {
        var ex = Assert.Throws<PipelineException>(() =>
            new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions { CallsPerMinute = 1e-300 }, _clock));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_coingecko_url_is_a_configuration_error_not_the_public_api(string url)
    {
        var ex = OptionsFailure(SettingNames.CoinGeckoApiUrl, url);

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(SettingNames.CoinGeckoApiUrl, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A CoinGecko URL that answers every request with a 302 to <paramref name="elsewhere"/>'s /global.</summary>
    private Task<FakeCoinGecko> StartRedirectingToAsync(FakeCoinGecko elsewhere) =>
        FakeCoinGecko.StartAsync(_clock, (_, context) =>
        {
            context.Response.Headers.Location = elsewhere.BaseUrl + "/global";
            return FakeCoinGecko.Send(context, 302, "");
        });

    /// <summary>The error of reading CoinGecko's options from an environment holding only <paramref name="setting"/>.</summary>
    private static PipelineException OptionsFailure(string setting, string value)
    {
        var env = new Dictionary<string, string?> { [setting] = value };
        return Assert.Throws<PipelineException>(() => CoinGeckoOptions.FromSettings(n => env.GetValueOrDefault(n), null));
    }

    /// <summary>A client on the production handler (decompression, no automatic redirects), as the Lambda and the CLI build it.</summary>
    private CoinGeckoClient ProductionClient(FakeCoinGecko server, string? apiKey = null) =>
        new(new HttpClient(CoinGeckoClient.CreateDefaultHandler()),
            new CoinGeckoOptions { BaseUrl = server.BaseUrl, ApiKey = apiKey, CallsPerMinute = 6000 }, _clock);

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
