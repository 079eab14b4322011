using System.Globalization;
using CryptoEtl.Testing;

namespace CryptoEtl.Bench;

/// <summary>
/// Extract's pacing on the simulated clock: a full sweep (70 pages of 250 plus /global) against a
/// stand-in that enforces the rate per trailing minute, with and without 8 % injected 429s, at a
/// Demo key's raised rate (100), its default (30) and keyless (10). Simulated seconds, not wall clock.
/// </summary>
public static class PacingTiming
{
    private const int Coins = 17_500;

    public static async Task RunAsync()
    {
        var pages = SyntheticMarket.Pages(Coins).ToList();
        var global = SyntheticMarket.Global(Coins);
        foreach (var rate in new[] { 100, 30, 10 })
        {
            foreach (var inject in new[] { 0.0, 0.08 })
            {
                var result = await PacingSweep.RunAsync(pages, global, SyntheticMarket.PerPage, rate, inject, new MemoryObjectStore());
                // The even-spacing bound the figures used before window pacing: one page per 60 / rate s.
                var rateBound = TimeSpan.FromMinutes(pages.Count / (double)rate);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"pacing inject={inject:0.00} {result} rate_bound_s={rateBound.TotalSeconds:0.0} ratio_to_rate_bound={result.Elapsed / rateBound:0.00}"));
            }
        }
    }
}
