using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;

namespace CryptoEtl.Bench;

/// <summary>
/// TransformStep in process on a synthetic market held in memory (both passes, CSV and quality
/// object written to a counting sink). Targets: 17,000 coins &lt;= 45 ms, 500,000 coins &lt;= 1.7 s.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 9)]
public class TransformBenchmarks
{
    private MemoryObjectStore _store = null!;
    private TransformStep _step = null!;
    private TransformInput _input = null!;

    [Params(250, 17_000, 500_000)]
    public int Coins { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new MemoryObjectStore();
        _store.Add(BenchData.RawKey, BenchData.RawSnapshot(Coins));
        _step = new TransformStep(_store);
        _input = new TransformInput { RawKey = BenchData.RawKey };
    }

    [Benchmark]
    public Task<TransformOutput> Transform() => _step.RunAsync(_input, CancellationToken.None);
}
