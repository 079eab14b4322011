using System.Text.Json;
using CryptoEtl.Testing;
using Xunit.Abstractions;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// A full market sweep (70 pages of 250 coins) on the simulated clock against a CoinGecko stand-in
/// that enforces the rate per trailing minute itself and also throws in random 429s. The time it
/// takes is bench/run.sh's `pacing` figure; here: every coin once, and never a call over the limit.
/// </summary>
public sealed class ExtractSweepTests(ITestOutputHelper output) : IDisposable
{
    private const int Pages = 70;
    private const int PerPage = 250;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(100, 0.0)]
    [InlineData(100, 0.08)]
    [InlineData(30, 0.08)]
    [InlineData(10, 0.08)]
    public async Task Full_sweep_with_random_429s_gets_every_coin_once_and_never_exceeds_the_rate_in_any_minute(int callsPerMinute, double injectRate)
    {
        var pages = Enumerable.Range(1, Pages).Select(n => Recorded.SyntheticPage(n, PerPage)).ToArray();
        var store = new FileSystemObjectStore(_temp.FullPath);

        var result = await PacingSweep.RunAsync(pages, Recorded.Global, PerPage, callsPerMinute, injectRate, store);

        output.WriteLine(result.ToString());
        Assert.True(result.Output.Complete);
        Assert.Equal(Pages, result.Output.Pages);
        Assert.Equal(Pages * PerPage, result.Output.Coins);
        var raw = await store.ReadAllBytesAsync(result.Output.RawKey, CancellationToken.None);
        using var document = JsonDocument.Parse(raw);
        var ids = document.RootElement.GetProperty(RawSnapshot.Pages).EnumerateArray()
            .SelectMany(page => page.EnumerateArray().Select(coin => coin.GetProperty("id").GetString()))
            .ToList();
        Assert.Equal(Pages * PerPage, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(injectRate > 0, result.Injected429s > 0);
        // /global, 70 pages, the closing [] and one more call per injected 429: nothing else.
        Assert.Equal(Pages + 2 + result.Injected429s, result.Calls);
        Assert.Equal(0, result.OverLimit);
        Assert.InRange(result.MostCallsInAnyWindow, 1, callsPerMinute);
    }
}
