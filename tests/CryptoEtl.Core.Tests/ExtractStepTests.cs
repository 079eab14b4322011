using System.Text.Json;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core.Steps;
using CryptoEtl.Testing;

namespace CryptoEtl.Core.Tests;

public sealed class ExtractStepTests : IDisposable
{
    private readonly SimulatedClock _clock = new();
    private readonly TempDirectory _temp = new();
    private readonly FileSystemObjectStore _store;

    public ExtractStepTests()
    {
        _store = new FileSystemObjectStore(_temp.FullPath);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Default_run_stores_global_and_two_pages_verbatim()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(10));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput(), null, CancellationToken.None);

        Assert.Equal(SimulatedClock.Origin, output.FetchTime);
        Assert.Equal("raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json", output.RawKey);
        Assert.Equal("usd", output.VsCurrency);
        Assert.Equal(2, output.Pages);
        Assert.Equal(500, output.Coins);
        Assert.True(output.Complete);
        Assert.Null(output.NextPage);
        Assert.Equal(["/api/v3/global", Markets(1), Markets(2)], server.Calls.Select(c => c.PathAndQuery));

        var raw = await _store.ReadAllBytesAsync(output.RawKey, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        var root = document.RootElement;
        Assert.Equal([RawSnapshot.Metadata, RawSnapshot.Global, RawSnapshot.Pages], root.EnumerateObject().Select(p => p.Name));
        var metadata = root.GetProperty(RawSnapshot.Metadata);
        Assert.Equal("CoinGecko", metadata.GetProperty(RawSnapshot.Source).GetString());
        Assert.Equal(RawSnapshot.CoinGeckoAttribution, metadata.GetProperty(RawSnapshot.Attribution).GetString());
        Assert.Equal("2026-11-25T12:00:00Z", metadata.GetProperty(RawSnapshot.FetchTime).GetString());
        Assert.Equal("usd", metadata.GetProperty(RawSnapshot.VsCurrency).GetString());
        Assert.Equal(250, metadata.GetProperty(RawSnapshot.PerPage).GetInt32());
        Assert.Equal("2", metadata.GetProperty(RawSnapshot.PagesRequested).GetString());
        Assert.Equal(2, metadata.GetProperty(RawSnapshot.PagesFetched).GetInt32());
        Assert.True(metadata.GetProperty(RawSnapshot.Complete).GetBoolean());
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty(RawSnapshot.NextPage).ValueKind);
        Assert.Equal(
            [server.BaseUrl + Markets(1)[7..], server.BaseUrl + Markets(2)[7..]],
            metadata.GetProperty(RawSnapshot.Urls).EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(server.BaseUrl + "/global", metadata.GetProperty(RawSnapshot.GlobalUrl).GetString());

        AssertEmbeddedVerbatim(raw, root.GetProperty(RawSnapshot.Global), Recorded.Global);
        var pages = root.GetProperty(RawSnapshot.Pages).EnumerateArray().ToList();
        Assert.Equal(2, pages.Count);
        AssertEmbeddedVerbatim(raw, pages[0], Recorded.Page(1));
        AssertEmbeddedVerbatim(raw, pages[1], Recorded.Page(2));
    }

    [Fact]
    public async Task Transform_reads_the_raw_object_extract_writes()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(10));
        var extracted = await new ExtractStep(server.Client(_clock), _store, _clock).RunAsync(new ExtractInput(), null, CancellationToken.None);

        var transformed = await new TransformStep(_store).RunAsync(new TransformInput { RawKey = extracted.RawKey }, CancellationToken.None);

        Assert.Equal(extracted.FetchTime, transformed.FetchTime);
        Assert.Equal(extracted.Coins, transformed.Rows + transformed.Rejected);
        Assert.True(transformed.Rows > 0);
    }

    [Fact]
    public async Task Pages_all_sweeps_until_the_empty_page()
    {
        // /global counts the 1,000 coins served, so the [] after page 4 is the end of the market.
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(4, global: Recorded.GlobalWithActiveCoins(1000)));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None);

        Assert.Equal(4, output.Pages);
        Assert.Equal(1000, output.Coins);
        Assert.True(output.Complete);
        Assert.Equal([1, 2, 3, 4, 5], server.MarketCalls.Select(c => c.Page!.Value));
        var root = await ReadRawAsync(output.RawKey);
        Assert.Equal("all", root.GetProperty(RawSnapshot.Metadata).GetProperty(RawSnapshot.PagesRequested).GetString());
        Assert.Equal(4, root.GetProperty(RawSnapshot.Metadata).GetProperty(RawSnapshot.PagesFetched).GetInt32());
        Assert.Equal(4, root.GetProperty(RawSnapshot.Pages).GetArrayLength());
    }

    [Fact]
    public async Task An_empty_page_in_the_middle_of_a_sweep_is_asked_again_then_stored_as_incomplete_with_the_doubt()
    {
        // Issue 15 item 1: a single [] on page 3 of a 20-page sweep was taken as the end (complete: true).
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
            call.IsMarkets && call.Page == 3 ? FakeCoinGecko.Send(context, 200, "[]") : FakeCoinGecko.Market(10)(call, context));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(6) }, null, CancellationToken.None);

        Assert.Equal(2, output.Pages);
        Assert.Equal(500, output.Coins);
        Assert.False(output.Complete);
        Assert.Equal(3, output.NextPage);
        Assert.Equal([1, 2, 3, 3], server.MarketCalls.Select(c => c.Page!.Value));
        var metadata = (await ReadRawAsync(output.RawKey)).GetProperty(RawSnapshot.Metadata);
        Assert.Equal(13180, metadata.GetProperty(RawSnapshot.ActiveCoins).GetInt32());
        Assert.Equal(500, metadata.GetProperty(RawSnapshot.Coins).GetInt32());
        Assert.Equal("page 3 was empty twice right after a full page 2, with 500 coins where /global counts 13180 active",
            metadata.GetProperty(RawSnapshot.EndDoubt).GetString());
        var transformed = await new TransformStep(_store).RunAsync(new TransformInput { RawKey = output.RawKey }, CancellationToken.None);
        Assert.Equal(500, transformed.Rows + transformed.Rejected);
    }

    [Fact]
    public async Task Reaching_stop_fetching_at_stores_what_it_has_with_next_page()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(10));
        // 3 calls a minute: global, page 1 and page 2 at 0 s; page 3 could start only at 61 s.
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 3 });
        var step = new ExtractStep(client, _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All }, SimulatedClock.Origin.AddSeconds(45), CancellationToken.None);

        Assert.False(output.Complete);
        Assert.Equal(3, output.NextPage);
        Assert.Equal(2, output.Pages);
        Assert.Equal(500, output.Coins);
        Assert.Equal([1, 2], server.MarketCalls.Select(c => c.Page!.Value));
        Assert.Equal(TimeSpan.Zero, _clock.Elapsed);
        var root = await ReadRawAsync(output.RawKey);
        var metadata = root.GetProperty(RawSnapshot.Metadata);
        Assert.False(metadata.GetProperty(RawSnapshot.Complete).GetBoolean());
        Assert.Equal(3, metadata.GetProperty(RawSnapshot.NextPage).GetInt32());
        Assert.Equal(2, root.GetProperty(RawSnapshot.Pages).GetArrayLength());
        Assert.Equal(JsonValueKind.Object, root.GetProperty(RawSnapshot.Global).ValueKind);
    }

    [Fact]
    public async Task A_page_still_retrying_at_stop_fetching_at_is_abandoned_and_the_rest_stored()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
        {
            if (call.Page == 2)
            {
                context.Response.Headers.RetryAfter = "30";
                return FakeCoinGecko.Send(context, 429, """{"status":{"error_code":429,"error_message":"rate limited"}}""");
            }

            return FakeCoinGecko.Market(10)(call, context);
        });
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(5) }, SimulatedClock.Origin.AddSeconds(60), CancellationToken.None);

        Assert.False(output.Complete);
        Assert.Equal(2, output.NextPage);
        Assert.Equal(1, output.Pages);
        // Retried 30 s later; the next retry, due just after 60 s, was cut by the deadline.
        Assert.InRange(_clock.Elapsed, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(61));
        Assert.Equal(2, server.MarketCalls.Count(c => c.Page == 2));
        var root = await ReadRawAsync(output.RawKey);
        Assert.Equal(1, root.GetProperty(RawSnapshot.Pages).GetArrayLength());
    }

    [Fact]
    public async Task A_bad_body_twice_fails_with_CoinGeckoBadResponse_and_writes_nothing()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.Page == 2
            ? FakeCoinGecko.Send(context, 200, Recorded.Page(2)[..1000])
            : FakeCoinGecko.Market(10)(call, context));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new ExtractInput(), null, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("page=2", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Global_unavailable_after_retries_leaves_global_null_and_keeps_the_pages()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.IsGlobal
            ? FakeCoinGecko.Send(context, 503, "<html><title>503 Service Temporarily Unavailable</title></html>", "text/html")
            : FakeCoinGecko.Market(10)(call, context));
        var client = server.Client(_clock, o => new CoinGeckoOptions { BaseUrl = o.BaseUrl, CallsPerMinute = 6000, MaxRetries = 2 });
        var step = new ExtractStep(client, _store, _clock);

        var output = await step.RunAsync(new ExtractInput(), null, CancellationToken.None);

        Assert.Equal(2, output.Pages);
        Assert.True(output.Complete);
        Assert.Equal(3, server.Calls.Count(c => c.IsGlobal));
        var root = await ReadRawAsync(output.RawKey);
        Assert.Equal(JsonValueKind.Null, root.GetProperty(RawSnapshot.Global).ValueKind);
        var transformed = await new TransformStep(_store).RunAsync(new TransformInput { RawKey = output.RawKey }, CancellationToken.None);
        Assert.Equal(output.Coins, transformed.Rows + transformed.Rejected);
    }

    [Fact]
    public async Task A_key_problem_on_global_fails_the_run()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, (_, context) =>
            FakeCoinGecko.Send(context, 401, """{"status":{"error_code":10002,"error_message":"API Key Missing"}}"""));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new ExtractInput(), null, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoAuth, ex.ErrorName);
        Assert.Single(server.Calls);
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("USD", 250, "vs_currency")]
    [InlineData("u", 250, "vs_currency")]
    [InlineData("us-d", 250, "vs_currency")]
    [InlineData("usd", 0, "per_page")]
    [InlineData("usd", 251, "per_page")]
    public async Task Invalid_input_fails_before_any_call(string vsCurrency, int perPage, string field)
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() =>
            step.RunAsync(new ExtractInput { VsCurrency = vsCurrency, PerPage = perPage }, null, CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Calls);
    }

    [Fact]
    public async Task A_coin_on_two_pages_stays_in_the_raw_data_but_counts_once()
    {
        // Page 2 repeats page 1's coins: the ranking shifted between calls.
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(2, _ => Recorded.Page(1)));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput(), null, CancellationToken.None);

        Assert.Equal(2, output.Pages);
        Assert.Equal(250, output.Coins);
        var root = await ReadRawAsync(output.RawKey);
        Assert.Equal(500, root.GetProperty(RawSnapshot.Pages).EnumerateArray().Sum(p => p.GetArrayLength()));
    }

    [Fact]
    public async Task A_pinned_fetch_time_is_normalized_and_a_rerun_replaces_the_same_object()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(3));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);
        var pinned = new DateTimeOffset(2026, 11, 25, 13, 0, 0, 999, TimeSpan.FromHours(1));

        var first = await step.RunAsync(new ExtractInput { FetchTime = pinned, Pages = PageCount.Of(1) }, null, CancellationToken.None);
        var second = await step.RunAsync(new ExtractInput { FetchTime = pinned, Pages = PageCount.Of(1) }, null, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), first.FetchTime);
        Assert.Equal("raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json", first.RawKey);
        Assert.Equal(first, second);
        Assert.Single(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Exponent_numbers_survive_into_the_raw_object_byte_for_byte()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1, _ => Recorded.Markets57));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None);

        Assert.Equal(57, output.Coins);
        var raw = await _store.ReadAllBytesAsync(output.RawKey, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        AssertEmbeddedVerbatim(raw, document.RootElement.GetProperty(RawSnapshot.Pages)[0], Recorded.Markets57);
    }

    [Fact]
    public async Task Offline_recording_serves_the_recorded_page_then_the_end_of_the_market()
    {
        var step = new ExtractStep(RecordedCoinGeckoHandler.CreateClient([Recorded.Page(1)], Recorded.Global, _clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None);

        Assert.Equal(1, output.Pages);
        Assert.Equal(250, output.Coins);
        var raw = await _store.ReadAllBytesAsync(output.RawKey, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        AssertEmbeddedVerbatim(raw, document.RootElement.GetProperty(RawSnapshot.Pages)[0], Recorded.Page(1));
        AssertEmbeddedVerbatim(raw, document.RootElement.GetProperty(RawSnapshot.Global), Recorded.Global);
        Assert.Equal(
            "https://api.coingecko.com/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=250&page=1&price_change_percentage=24h",
            document.RootElement.GetProperty(RawSnapshot.Metadata).GetProperty(RawSnapshot.Urls)[0].GetString());
    }

    [Fact]
    public async Task Offline_recording_recuts_pages_for_another_per_page_keeping_every_coin()
    {
        var step = new ExtractStep(RecordedCoinGeckoHandler.CreateClient([Recorded.Page(1)], Recorded.Global, _clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All, PerPage = 100 }, null, CancellationToken.None);

        Assert.Equal(3, output.Pages);
        Assert.Equal(250, output.Coins);
        var root = await ReadRawAsync(output.RawKey);
        Assert.Equal([100, 100, 50], root.GetProperty(RawSnapshot.Pages).EnumerateArray().Select(p => p.GetArrayLength()));
        var coins = Recorded.CoinsOf(Recorded.Page(1));
        Assert.Equal(coins[100], System.Text.Encoding.UTF8.GetBytes(root.GetProperty(RawSnapshot.Pages)[1][0].GetRawText()));
    }

    [Fact]
    public async Task Offline_recording_refuses_another_currency_like_CoinGecko()
    {
        var step = new ExtractStep(RecordedCoinGeckoHandler.CreateClient([Recorded.Page(1)], Recorded.Global, _clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new ExtractInput { VsCurrency = "eur" }, null, CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Contains("usd only", ex.Message, StringComparison.Ordinal);
    }

    private static string Markets(int page) =>
        $"/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=250&page={page}&price_change_percentage=24h";

    /// <summary>The element's bytes in the raw object are exactly the served bytes (surrounding whitespace aside).</summary>
    private static void AssertEmbeddedVerbatim(byte[] raw, JsonElement element, byte[] served)
    {
        Assert.True(raw.AsSpan().IndexOf(served) >= 0, "the served bytes are not in the raw object verbatim");
        Assert.True(System.Text.Encoding.UTF8.GetBytes(element.GetRawText()).AsSpan().SequenceEqual(served.AsSpan().Trim(" \r\n\t"u8)));
    }

    private async Task<JsonElement> ReadRawAsync(string key)
    {
        var raw = await _store.ReadAllBytesAsync(key, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        return document.RootElement.Clone();
    }
}
