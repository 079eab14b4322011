using System.Globalization;
using BenchmarkDotNet.Running;
using CryptoEtl.Bench;

// `generate COINS FOLDER` writes a synthetic raw snapshot into a folder store (for bench/run.sh).
// `cpu COINS RUNS` times the in-process transform by wall clock and by CPU time (the CPU figure
// holds up on a machine other builds are loading). Anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["generate", var coins, var folder]:
        Console.WriteLine(BenchData.WriteRawSnapshot(folder, int.Parse(coins, CultureInfo.InvariantCulture)));
        return 0;
    case ["cpu", var coins, var runs]:
        await CpuTiming.RunAsync(int.Parse(coins, CultureInfo.InvariantCulture), int.Parse(runs, CultureInfo.InvariantCulture));
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args);
        return 0;
}
