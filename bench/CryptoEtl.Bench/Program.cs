using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using CryptoEtl.Bench;

// `generate COINS FOLDER` writes a synthetic raw snapshot into a folder store (for bench/run.sh).
// `cpu COINS RUNS` times the in-process transform by wall clock and by CPU time (the CPU figure
// holds up on a machine other builds are loading). `extract COINS RUNS`, `load STORE RUNS` and
// `serve COINS SECONDS` (a local CoinGecko stand-in) time the other steps; `pacing` simulates full
// sweeps against a rate-enforcing stand-in on a simulated clock. `history-grow DB SNAPSHOTS [COINS
// MINUTES]` and `history-figures DB RUNS` are bench/history.sh's. Anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["generate", var coins, var folder]:
        Console.WriteLine(BenchData.WriteRawSnapshot(folder, int.Parse(coins, CultureInfo.InvariantCulture)));
        return 0;
    case ["generate-awkward", var coins, var folder]:
        Console.WriteLine(BenchData.WriteAwkwardSnapshot(folder, int.Parse(coins, CultureInfo.InvariantCulture)));
        return 0;
    case ["cpu", var coins, var runs]:
        await CpuTiming.RunAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture), awkward: false);
        return 0;
    case ["cpu-awkward", var coins, var runs]:
        await CpuTiming.RunAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture), awkward: true);
        return 0;
    case ["duckdb-sql", var raw, var csv, var runs]:
        await DuckDbSqlPeer.RunAsync(raw, csv, int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["extract", var coins, var runs]:
        await PipelineTiming.ExtractAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["history-grow", var database, var snapshots]:
        await HistoryTiming.GrowAsync(database, int.Parse(snapshots, CultureInfo.InvariantCulture));
        return 0;
    case ["history-grow", var database, var snapshots, var coins, var minutes]:
        await HistoryTiming.GrowAsync(database, int.Parse(snapshots, CultureInfo.InvariantCulture), int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(minutes, CultureInfo.InvariantCulture));
        return 0;
    case ["history-figures", var database, var runs]:
        await HistoryTiming.FiguresAsync(database, int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["pacing"]:
        await PacingTiming.RunAsync();
        return 0;
    case ["load", var folder, var runs]:
        await PipelineTiming.LoadAsync(folder, int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    case ["serve", var coins, var seconds]:
        // For bench/run.sh's whole-pipeline run: prints the base URL, serves until SIGTERM or SECONDS pass.
        await using (var standIn = await CoinGeckoStandIn.StartAsync(int.Parse(coins, CultureInfo.InvariantCulture)))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture)));
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            Console.WriteLine(standIn.BaseUrl);
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args);
        return 0;
}
