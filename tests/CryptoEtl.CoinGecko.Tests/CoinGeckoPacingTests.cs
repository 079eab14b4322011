using CryptoEtl.Core.Steps;
using CryptoEtl.Testing;

namespace CryptoEtl.CoinGecko.Tests;

/// <summary>
/// Pacing by a trailing minute against a stand-in that enforces CoinGecko's calls per minute itself
/// (<see cref="WindowLimitedCoinGecko"/>): small runs do not wait, longer ones never go over.
/// </summary>
public sealed class CoinGeckoPacingTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SimulatedClock _clock = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, CoinGeckoOptions.KeylessCallsPerMinute)]
    [InlineData("CG-demo", CoinGeckoOptions.DemoCallsPerMinute)]
    public async Task The_default_two_page_run_makes_its_3_calls_without_waiting(string? apiKey, double tierRate)
    {
        await using var server = await WindowLimitedCoinGecko.StartAsync(
            _clock, (int)tierRate, [Recorded.Page(1), Recorded.Page(2), Recorded.Page(3)], Recorded.Global);
        var observer = new RecordingObserver();
        // The tier's default rate: no CallsPerMinute.
        var client = new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions { BaseUrl = server.BaseUrl, ApiKey = apiKey }, _clock, observer);

        var output = await new ExtractStep(client, new FileSystemObjectStore(_temp.FullPath), _clock, observer)
            .RunAsync(new ExtractInput(), null, CancellationToken.None);

        Assert.Equal(2, output.Pages);
        Assert.Equal(3, server.CallTimes.Count);
        Assert.All(server.CallTimes, at => Assert.Equal(SimulatedClock.Origin, at));
        Assert.DoesNotContain(observer.Waits, w => w.Kind == WaitKind.RateLimit);
        Assert.Equal(TimeSpan.Zero, _clock.Elapsed);
    }

    [Fact]
    public async Task A_keyless_14_call_run_has_at_most_10_calls_in_any_trailing_minute()
    {
        // Issue 16: even spacing at 10 a minute let 11 calls into one 60 s window on a logging stand-in.
        var pages = Enumerable.Range(1, 13).Select(Recorded.Page).ToArray();
        await using var server = await WindowLimitedCoinGecko.StartAsync(_clock, 10, pages, Recorded.Global);
        var client = new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions { BaseUrl = server.BaseUrl }, _clock);

        var output = await new ExtractStep(client, new FileSystemObjectStore(_temp.FullPath), _clock)
            .RunAsync(new ExtractInput { Pages = PageCount.Of(13) }, null, CancellationToken.None);

        Assert.Equal(13, output.Pages);
        Assert.Equal(0, server.OverLimit);
        Assert.Equal(10, server.MostCallsInAnyWindow);
        var seconds = server.CallTimes.Select(at => (at - SimulatedClock.Origin).TotalSeconds).ToArray();
        Assert.Equal([.. Enumerable.Repeat(0.0, 10), 61, 61, 61, 61], seconds);
    }

    [Fact]
    public async Task Retry_After_on_a_full_window_is_waited_exactly_then_the_run_goes_on()
    {
        // The stand-in allows 4 a minute while the client believes 8 (keyless calls share an IP's limit).
        var pages = Enumerable.Range(1, 7).Select(Recorded.Page).ToArray();
        await using var server = await WindowLimitedCoinGecko.StartAsync(_clock, 4, pages, Recorded.Global);
        var observer = new RecordingObserver();
        var client = new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions { BaseUrl = server.BaseUrl, CallsPerMinute = 8 }, _clock, observer);

        var output = await new ExtractStep(client, new FileSystemObjectStore(_temp.FullPath), _clock, observer)
            .RunAsync(new ExtractInput { Pages = PageCount.Of(7) }, null, CancellationToken.None);

        Assert.Equal(7, output.Pages);
        // Calls 1-4 at 0 s; call 5 gets 429 with Retry-After 61 (the window holds both its ends); the rest at 61 s.
        var retry = Assert.Single(observer.Retries);
        Assert.True(retry.FromRetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(61), retry.Delay);
        Assert.Equal(1, server.OverLimit);
        Assert.Equal(TimeSpan.FromSeconds(61), _clock.Elapsed);
    }

    [Fact]
    public async Task CDN_429s_without_Retry_After_into_a_full_window_make_the_pacer_wait_for_room_and_the_run_completes()
    {
        // Same limits, but the 429s are a CDN's HTML page with no Retry-After: only backoff (1-4 s) and the pacer.
        var pages = Enumerable.Range(1, 7).Select(Recorded.Page).ToArray();
        await using var server = await WindowLimitedCoinGecko.StartAsync(_clock, 4, pages, Recorded.Global, overLimitAsCdnPage: true);
        var observer = new RecordingObserver();
        var client = new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions { BaseUrl = server.BaseUrl, CallsPerMinute = 8, JitterSeed = 3 }, _clock, observer);

        var output = await new ExtractStep(client, new FileSystemObjectStore(_temp.FullPath), _clock, observer)
            .RunAsync(new ExtractInput { Pages = PageCount.Of(7) }, null, CancellationToken.None);

        Assert.Equal(7, output.Pages);
        // Each 429 takes a call off the allowance until the window is full by the pacer's own count:
        // then it waits for room instead of retrying into the full window, and no page runs out of retries.
        Assert.Contains(observer.Waits, w => w.Kind == WaitKind.RateLimit);
        Assert.InRange(server.OverLimit, 1, 5);
        Assert.True(_clock.Elapsed >= TimeSpan.FromSeconds(61));
    }

    [Fact]
    public void Each_429_takes_one_call_off_the_allowance_and_it_climbs_back_over_one_minute()
    {
        var pacer = new TrailingWindowPacer(10, _clock);
        Assert.Equal(10, pacer.Allowance);

        pacer.OnRateLimited();
        pacer.OnRateLimited();
        Assert.Equal(8, pacer.Allowance);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(9, pacer.Allowance);    // 8 + 2 x 30/60
        pacer.OnRateLimited();
        Assert.Equal(8, pacer.Allowance);    // one less than 9
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(9, pacer.Allowance);    // floor(8 + 2 x 59/60)
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, pacer.Allowance);
    }

    [Fact]
    public void A_full_trailing_minute_waits_for_its_oldest_call_to_be_a_minute_and_the_guard_old()
    {
        var pacer = new TrailingWindowPacer(2, _clock);
        pacer.OnCall();
        _clock.Advance(TimeSpan.FromSeconds(10));
        pacer.OnCall();
        Assert.Equal(TimeSpan.FromSeconds(51), pacer.TimeUntilNextCall);
        _clock.Advance(TimeSpan.FromSeconds(51));
        Assert.Equal(TimeSpan.Zero, pacer.TimeUntilNextCall);
    }
}
