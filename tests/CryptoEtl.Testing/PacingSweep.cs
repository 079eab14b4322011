using System.Globalization;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;

namespace CryptoEtl.Testing;

/// <summary>What a simulated sweep took and what the stand-in saw.</summary>
public sealed record PacingSweepResult(
    ExtractOutput Output, int CallsPerMinute, int Calls, int Injected429s, int OverLimit, int MostCallsInAnyWindow, TimeSpan Elapsed, TimeSpan Bound)
{
    public double Ratio => Bound > TimeSpan.Zero ? Elapsed / Bound : double.NaN;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"rate={CallsPerMinute}/min pages={Output.Pages} coins={Output.Coins} calls={Calls} injected_429s={Injected429s} over_limit={OverLimit} "
        + $"most_in_60s={MostCallsInAnyWindow} simulated_s={Elapsed.TotalSeconds:0.0} bound_s={Bound.TotalSeconds:0.0} ratio={Ratio:0.00}");
}

/// <summary>
/// Extract (pages=all) against a <see cref="WindowLimitedCoinGecko"/> on a <see cref="SimulatedClock"/>:
/// the scenario the pacing tests assert on and bench/run.sh's `pacing` mode measures.
/// </summary>
public static class PacingSweep
{
    public static async Task<PacingSweepResult> RunAsync(
        IReadOnlyList<byte[]> pages, byte[] global, int perPage, int callsPerMinute, double inject429Rate, IObjectStore store, string? apiKey = "CG-demo")
    {
        var clock = new SimulatedClock();
        await using var standIn = await WindowLimitedCoinGecko.StartAsync(clock, callsPerMinute, pages, global, inject429Rate);
        using var http = new HttpClient();
        var client = new CoinGeckoClient(http, new CoinGeckoOptions
        {
            BaseUrl = standIn.BaseUrl, ApiKey = apiKey, CallsPerMinute = callsPerMinute, JitterSeed = 1,
        }, clock);
        var output = await new ExtractStep(client, store, clock).RunAsync(
            new ExtractInput { Pages = PageCount.All, PerPage = perPage }, null, CancellationToken.None);
        return new PacingSweepResult(output, callsPerMinute, standIn.CallTimes.Count, standIn.Injected429s, standIn.OverLimit,
            standIn.MostCallsInAnyWindow, clock.Elapsed,
            // The calls a clean sweep needs: /global, every page and the closing [].
            TrailingWindowPacer.LeastTimeFor(pages.Count + 2, callsPerMinute));
    }
}
