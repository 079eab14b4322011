using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.Core.Transform;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Bench;

/// <summary>Extract and Load in process, timed over several runs (median), on the machine's real disk.</summary>
public static class PipelineTiming
{
    /// <summary>A full sweep (pages=all) of a synthetic market from a local CoinGecko stand-in, stored in a folder.</summary>
    public static async Task ExtractAsync(int coins, int runs)
    {
        await using var standIn = await CoinGeckoStandIn.StartAsync(coins);
        using var folder = new TempDirectory();
        using var http = new HttpClient();
        var options = new CoinGeckoOptions { BaseUrl = standIn.BaseUrl, CallsPerMinute = 1e9 };
        var step = new ExtractStep(new CoinGeckoClient(http, options, TimeProvider.System), new FileSystemObjectStore(folder.FullPath), TimeProvider.System);
        var input = new ExtractInput { Pages = PageCount.All, PerPage = SyntheticMarket.PerPage, FetchTime = BenchData.FetchTime };
        ExtractOutput? output = null;
        var walls = await TimeAsync(runs, async () => output = await step.RunAsync(input, null, CancellationToken.None));
        var wall = Median(walls);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"extract coins={output!.Coins} pages={output.Pages} runs={runs} wall_median_ms={wall:F0} coins_per_s={output.Coins / wall * 1000:F0}"));
    }

    /// <summary>LoadStep (CSV shape check + DuckDB load, replacing the snapshot) of the CSV a transform left in <paramref name="storeFolder"/>.</summary>
    public static async Task LoadAsync(string storeFolder, int runs)
    {
        var store = new FileSystemObjectStore(storeFolder);
        var quality = JsonSerializer.Deserialize(
            await store.ReadAllBytesAsync(ObjectKeys.Quality(BenchData.FetchTime), CancellationToken.None),
            QualityJsonContext.Default.QualityReport)!;
        using var database = new TempDirectory();
        var input = new LoadInput { CsvKey = quality.CsvKey, FetchTime = BenchData.FetchTime, ExpectedRows = quality.RowsKept };
        // A fresh table per run, then the same snapshot loaded again (a re-run replaces its rows).
        var fresh = new List<double>();
        var again = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var warehouse = new DuckDbWarehouse(database.Combine($"bench-{i}.duckdb"));
            var step = new LoadStep(store, warehouse);
            var clock = Stopwatch.StartNew();
            await step.RunAsync(input, CancellationToken.None);
            fresh.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            await step.RunAsync(input, CancellationToken.None);
            again.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"load rows={quality.RowsKept} runs={runs} new_table_median_ms={Median(fresh):F0} new_table_rows_per_s={quality.RowsKept / Median(fresh) * 1000:F0} rerun_median_ms={Median(again):F0} rerun_rows_per_s={quality.RowsKept / Median(again) * 1000:F0}"));
    }

    internal static async Task<List<double>> TimeAsync(int runs, Func<Task> run)
    {
        await run();
        var walls = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            walls.Add(clock.Elapsed.TotalMilliseconds);
        }

        return walls;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
