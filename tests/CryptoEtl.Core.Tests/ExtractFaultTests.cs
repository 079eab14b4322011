using System.Text.Json;
using CryptoEtl.Core.Steps;
using CryptoEtl.Testing;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// Issue 15's Extract faults against a CoinGecko stand-in on 127.0.0.1: empty pages that are not the
/// end, re-runs that would shrink a snapshot, a far-future fetch_time, sweeps that never end and a
/// server that never answers. Each failed before its fix.
/// </summary>
public sealed class ExtractFaultTests : IDisposable
{
    private static readonly DateTimeOffset Pinned = SimulatedClock.Origin;

    private readonly SimulatedClock _clock = new();
    private readonly TempDirectory _temp = new();
    private readonly FileSystemObjectStore _store;

    public ExtractFaultTests()
    {
        _store = new FileSystemObjectStore(_temp.FullPath);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_empty_first_page_is_not_a_market_it_is_asked_again_then_fails_and_nothing_is_stored()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(0));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None));

        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("page 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal([1, 1], server.MarketCalls.Select(c => c.Page!.Value));
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_empty_page_right_after_a_full_one_is_asked_again_and_the_sweep_goes_on_when_it_comes()
    {
        var emptied = 0;
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
            call.IsMarkets && call.Page == 3 && Interlocked.Increment(ref emptied) == 1
                ? FakeCoinGecko.Send(context, 200, "[]")
                : FakeCoinGecko.Market(6, global: Recorded.GlobalWithActiveCoins(1500))(call, context));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None);

        Assert.Equal(6, output.Pages);
        Assert.Equal(1500, output.Coins);
        Assert.True(output.Complete);
        Assert.Equal([1, 2, 3, 3, 4, 5, 6, 7], server.MarketCalls.Select(c => c.Page!.Value));
        var metadata = (await ReadRawAsync(output.RawKey)).GetProperty(RawSnapshot.Metadata);
        Assert.False(metadata.TryGetProperty(RawSnapshot.EndDoubt, out _));
    }

    [Fact]
    public async Task A_rerun_that_gets_far_fewer_coins_keeps_the_stored_snapshot_and_says_so_unless_forced()
    {
        var shrink = false;
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) =>
            shrink && call.IsMarkets && call.Page >= 2 ? FakeCoinGecko.Send(context, 200, "[]") : FakeCoinGecko.Market(4)(call, context));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);
        var first = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(4), FetchTime = Pinned }, null, CancellationToken.None);
        var stored = await _store.ReadAllBytesAsync(first.RawKey, CancellationToken.None);

        shrink = true;
        var ex = await Assert.ThrowsAsync<PipelineException>(() =>
            step.RunAsync(new ExtractInput { Pages = PageCount.Of(4), FetchTime = Pinned }, null, CancellationToken.None));

        Assert.Equal(1000, first.Coins);
        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Contains("already holds 1000 coins and this run got 250", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"force\": true", ex.Message, StringComparison.Ordinal);
        Assert.Equal(stored, await _store.ReadAllBytesAsync(first.RawKey, CancellationToken.None));

        var forced = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(4), FetchTime = Pinned, Force = true }, null, CancellationToken.None);

        Assert.Equal(250, forced.Coins);
        Assert.Equal(first.RawKey, forced.RawKey);
        var metadata = (await ReadRawAsync(forced.RawKey)).GetProperty(RawSnapshot.Metadata);
        Assert.Equal(250, metadata.GetProperty(RawSnapshot.Coins).GetInt32());
    }

    [Fact]
    public async Task A_rerun_over_an_older_raw_object_without_a_coin_count_counts_its_coins()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var key = ObjectKeys.Raw(Pinned);
        // The layout before metadata.coins: two pages of one coin each.
        await _store.PutBytesAsync(key, ContentTypes.Json, """{"metadata":{"fetch_time":"2026-11-25T12:00:00Z"},"global":null,"pages":[[{"id":"a"}],[{"id":"b"}]]}"""u8.ToArray(), CancellationToken.None);
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var output = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = Pinned }, null, CancellationToken.None);

        Assert.Equal(250, output.Coins);
    }

    [Theory]
    [InlineData("9999-12-31T00:00:00Z")]
    [InlineData("2026-11-25T12:06:00Z")]
    [InlineData("2000-01-01T00:00:00Z")]
    public async Task A_fetch_time_outside_the_window_is_invalid_input_before_any_call(string fetchTime)
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() =>
            step.RunAsync(new ExtractInput { FetchTime = DateTimeOffset.Parse(fetchTime, System.Globalization.CultureInfo.InvariantCulture) }, null, CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Contains("fetch_time must be between 2013-04-28T00:00:00Z and 5 minutes from now (2026-11-25T12:00:00Z)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Calls);
    }

    [Fact]
    public async Task A_fetch_time_a_few_minutes_ahead_or_years_back_is_accepted()
    {
        await using var server = await FakeCoinGecko.StartAsync(_clock, FakeCoinGecko.Market(1));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ahead = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = Pinned.AddMinutes(4) }, null, CancellationToken.None);
        var replay = await step.RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = new DateTimeOffset(2024, 12, 19, 10, 45, 0, TimeSpan.Zero) }, null, CancellationToken.None);

        Assert.Equal(Pinned.AddMinutes(4), ahead.FetchTime);
        Assert.Equal("raw/2024/12/19/raw_crypto_data_2024-12-19T10-45-00Z.json", replay.RawKey);
    }

    [Fact]
    public async Task Pages_all_against_a_server_that_never_ends_stops_at_twice_globals_coin_count_with_a_named_error()
    {
        // Every page is full; past page 50 the stand-in answers 404 so an unbounded sweep fails the test instead of hanging it.
        await using var server = await FakeCoinGecko.StartAsync(_clock, (call, context) => call.Page > 50
            ? FakeCoinGecko.Send(context, 404, """{"error":"stand-in: the sweep was not bounded"}""")
            : FakeCoinGecko.Market(int.MaxValue, global: Recorded.GlobalWithActiveCoins(1000))(call, context));
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(new ExtractInput { Pages = PageCount.All }, null, CancellationToken.None));

        // 1,000 active coins x 2 / 250 per page + 2 = 10 pages.
        Assert.Equal(ErrorNames.CoinGeckoBadResponse, ex.ErrorName);
        Assert.Contains("passed 10 pages of 250 without an empty page (/global counts 1000 active coins)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(10, server.MarketCalls.Count);
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_server_that_never_answers_gives_up_after_two_timeouts_per_url_and_says_what_it_waits_for()
    {
        var arrivals = new SemaphoreSlim(0);
        await using var server = await StartSilentServerAsync(arrivals);
        var observer = new RecordingObserver();
        var step = new ExtractStep(server.Client(_clock, null, observer), _store, _clock, observer);

        var run = step.RunAsync(new ExtractInput(), SimulatedClock.Origin.AddMinutes(14.5), CancellationToken.None);
        await DriveTimeoutsAsync(run, arrivals);
        var ex = await Assert.ThrowsAsync<PipelineException>(() => run);

        // /global: 2 attempts (then the run goes on without it); page 1: 2 attempts, then the named error.
        // Before: 6 attempts of 30 s per URL, silent, ~229 s each.
        Assert.Equal(ErrorNames.CoinGeckoUnavailable, ex.ErrorName);
        Assert.Contains("no answer from", ex.Message, StringComparison.Ordinal);
        Assert.Contains("page=1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Calls.Count);
        Assert.InRange(_clock.Elapsed, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(125));
        var answerWaits = observer.Waits.Where(w => w.Kind == WaitKind.Answer).ToList();
        Assert.Equal(4, answerWaits.Count);
        Assert.All(answerWaits, w => Assert.Equal(TimeSpan.FromSeconds(30), w.Length));
        Assert.Equal(2, observer.Retries.Count);
        Assert.All(observer.Retries, r => Assert.Equal("no complete answer within 30 s", r.Reason));
        Assert.True(observer.Progress[^1].Finished);
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_server_that_never_answers_within_the_deadline_fails_by_it_and_stores_no_empty_snapshot()
    {
        var arrivals = new SemaphoreSlim(0);
        await using var server = await StartSilentServerAsync(arrivals);
        var step = new ExtractStep(server.Client(_clock), _store, _clock);

        var run = step.RunAsync(new ExtractInput(), SimulatedClock.Origin.AddSeconds(45), CancellationToken.None);
        await DriveTimeoutsAsync(run, arrivals);
        var ex = await Assert.ThrowsAsync<PipelineException>(() => run);

        Assert.Equal(ErrorNames.CoinGeckoUnavailable, ex.ErrorName);
        Assert.Contains("before the fetch deadline (2026-11-25T12:00:45Z)", ex.Message, StringComparison.Ordinal);
        Assert.InRange(_clock.Elapsed, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(65));
        Assert.Empty(Directory.EnumerateFiles(_temp.FullPath, "*", SearchOption.AllDirectories));
    }

    /// <summary>A server that accepts every request and never answers; each arrival releases <paramref name="arrivals"/>.</summary>
    private Task<FakeCoinGecko> StartSilentServerAsync(SemaphoreSlim arrivals) =>
        FakeCoinGecko.StartAsync(_clock, async (_, context) =>
        {
            arrivals.Release();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });

    /// <summary>Each time a request reaches the silent server, moves the clock past the client's 30 s timeout.</summary>
    private async Task DriveTimeoutsAsync(Task run, SemaphoreSlim arrivals)
    {
        while (!run.IsCompleted)
        {
            var arrival = arrivals.WaitAsync();
            if (await Task.WhenAny(run, arrival) == arrival)
            {
                _clock.Advance(TimeSpan.FromSeconds(30));
            }
        }
    }

    private async Task<JsonElement> ReadRawAsync(string key)
    {
        var raw = await _store.ReadAllBytesAsync(key, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        return document.RootElement.Clone();
    }
}
