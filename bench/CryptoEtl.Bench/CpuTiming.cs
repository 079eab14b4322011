using System.Diagnostics;
using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;

namespace CryptoEtl.Bench;

/// <summary>
/// Median wall time and median process CPU time of the in-process transform. On a shared,
/// loaded machine wall time measures the queue for a core; CPU time measures the work.
/// </summary>
public static class CpuTiming
{
    public static async Task RunAsync(int coins, int runs, bool awkward)
    {
        var store = new MemoryObjectStore();
        store.Add(BenchData.RawKey, BenchData.RawSnapshot(coins, awkward));
        var step = new TransformStep(store);
        var input = new TransformInput { RawKey = BenchData.RawKey };
        for (var i = 0; i < 3; i++)
        {
            await step.RunAsync(input, CancellationToken.None);
        }

        var walls = new List<double>();
        var cpus = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await step.RunAsync(input, CancellationToken.None);
            walls.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpus.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"transform market={(awkward ? "awkward" : "tame")} coins={coins} runs={runs} wall_median_ms={PipelineTiming.Median(walls):F1} wall_min_ms={walls.Min():F1} cpu_median_ms={PipelineTiming.Median(cpus):F1} raw_mb={store.HeadAsync(BenchData.RawKey, default).Result!.Size / 1e6:F1} csv_mb={store.WrittenSizes.First(w => ObjectKeys.IsCsvOf(w.Key, BenchData.FetchTime)).Value / 1e6:F1}"));
    }
}
