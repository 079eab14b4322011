using System.Text.Json;
using CryptoEtl.Core.CoinGecko;
using CryptoEtl.Core.Steps;
using CryptoEtl.Testing;
using Xunit.Abstractions;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// A full market sweep on the simulated clock: 70 pages of 250 coins at a Demo key's 100 calls a
/// minute, against a server that enforces that limit itself and also throws in random 429s.
/// </summary>
public sealed class ExtractSweepTests(ITestOutputHelper output) : IDisposable
{
    private const int Pages = 70;
    private const int PerPage = 250;
    private const double CallsPerMinute = 100;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(0.0, 1.0, 1.02)]
    [InlineData(0.08, 1.0, 1.5)]
    public async Task Full_sweep_at_100_calls_a_minute_with_random_429s_gets_every_coin_once_near_the_rate_bound(
        double injectRate, double minRatio, double maxRatio)
    {
        var clock = new SimulatedClock();
        var pages = Enumerable.Range(1, Pages).Select(n => Recorded.SyntheticPage(n, PerPage)).ToArray();
        var injected = new Random(2026);
        var injected429s = 0;
        var limiterTrips = 0;
        var recent = new Queue<DateTimeOffset>();
        var gate = new Lock();
        await using var server = await FakeCoinGecko.StartAsync(clock, (call, context) =>
        {
            bool overLimit, inject;
            int retryAfter;
            lock (gate)
            {
                // CoinGecko's own limiter: at most 100 calls in any trailing minute.
                recent.Enqueue(call.At);
                while (recent.Peek() <= call.At.AddMinutes(-1))
                {
                    recent.Dequeue();
                }

                overLimit = recent.Count > CallsPerMinute;
                limiterTrips += overLimit ? 1 : 0;
                inject = !overLimit && injected.NextDouble() < injectRate;
                injected429s += inject ? 1 : 0;
                retryAfter = injected.Next(1, 6);
            }

            if (overLimit || (inject && retryAfter % 2 == 0))
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return FakeCoinGecko.Send(context, 429, """{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}""");
            }

            if (inject)
            {
                return FakeCoinGecko.Send(context, 429, "<html><head><title>429 Too Many Requests</title></head></html>", "text/html");
            }

            return call.IsGlobal ? FakeCoinGecko.Send(context, 200, Recorded.Global)
                : call.Page is { } n && n <= Pages ? FakeCoinGecko.Send(context, 200, pages[n - 1])
                : FakeCoinGecko.Send(context, 200, "[]");
        });
        var client = new CoinGeckoClient(new HttpClient(), new CoinGeckoOptions
        {
            BaseUrl = server.BaseUrl, ApiKey = "CG-demo", CallsPerMinute = CallsPerMinute, JitterSeed = 1,
        }, clock);
        var store = new FileSystemObjectStore(_temp.FullPath);

        var result = await new ExtractStep(client, store, clock).RunAsync(
            new ExtractInput { Pages = PageCount.All, PerPage = PerPage }, null, CancellationToken.None);

        Assert.True(result.Complete);
        Assert.Equal(Pages, result.Pages);
        Assert.Equal(Pages * PerPage, result.Coins);
        var raw = await store.ReadAllBytesAsync(result.RawKey, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        var ids = document.RootElement.GetProperty(RawSnapshot.Pages).EnumerateArray()
            .SelectMany(page => page.EnumerateArray().Select(coin => coin.GetProperty("id").GetString()))
            .ToList();
        Assert.Equal(Pages * PerPage, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        // 70 pages at 100 calls a minute cannot take less than 70 x 0.6 s = 42 s.
        var bound = TimeSpan.FromMinutes(Pages / CallsPerMinute);
        var ratio = clock.Elapsed / bound;
        output.WriteLine($"sweep: {server.Calls.Count} calls ({injected429s} injected 429s, {limiterTrips} over CoinGecko's limit), " +
            $"{clock.Elapsed.TotalSeconds:0.0} s simulated vs {bound.TotalSeconds:0} s bound = {ratio:0.00}x, raw object {raw.Length / 1e6:0.0} MB");
        Assert.Equal(injectRate > 0, injected429s > 0);
        Assert.Equal(0, limiterTrips);
        Assert.InRange(ratio, minRatio, maxRatio);
    }
}
