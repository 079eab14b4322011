using System.Globalization;
using BenchmarkDotNet.Running;
using CryptoEtl.Bench;

// `generate COINS FOLDER` writes a synthetic raw snapshot into a folder store (for bench/run.sh).
// `cpu COINS RUNS` times the in-process transform by wall clock and by CPU time (the CPU figure
// holds up on a machine other builds are loading). `extract COINS RUNS`, `load STORE RUNS` and
// `serve COINS` (a local CoinGecko stand-in) time the other steps. Anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["generate", var coins, var folder]:
        Console.WriteLine(BenchData.WriteRawSnapshot(folder, int.Parse(coins, CultureInfo.InvariantCulture)));
        return 0;
    case ["cpu", var coins, var runs]:
        await CpuTiming.RunAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["extract", var coins, var runs]:
        await PipelineTiming.ExtractAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["load", var folder, var runs]:
        await PipelineTiming.LoadAsync(folder, int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["serve", var coins]:
        // For bench/run.sh's whole-pipeline run: prints the base URL, serves until stdin closes.
        await using (var standIn = await CoinGeckoStandIn.StartAsync(int.Parse(coins, CultureInfo.InvariantCulture)))
        {
            Console.WriteLine(standIn.BaseUrl);
            await Console.In.ReadToEndAsync();
        }

        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args);
        return 0;
}
