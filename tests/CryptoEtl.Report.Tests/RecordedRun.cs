using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.FileSystem;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Report.Tests;

/// <summary>
/// The real steps over the recorded CoinGecko market (250 coins of 2024-12-19): Extract through
/// the recorded handler, Transform, Load into DuckDB. What `cryptoetl run --offline` does.
/// </summary>
public sealed class RecordedRun
{
    public RecordedRun(string folder)
    {
        Store = new FileSystemObjectStore(Path.Combine(folder, "objects"));
        DatabasePath = Path.Combine(folder, "warehouse.duckdb");
    }

    public FileSystemObjectStore Store { get; }

    public string DatabasePath { get; }

    public static byte[] MarketPage => File.ReadAllBytes(TestData.CoinGecko(TestData.Markets250));

    /// <param name="fetchTime">The snapshot's fetch time.</param>
    /// <param name="marketPage">The /coins/markets page CoinGecko answers; the recorded one when null.</param>
    public async Task<TransformOutput> RunAsync(DateTimeOffset fetchTime, byte[]? marketPage = null)
    {
        // A clock that never moves and no pacing interval: nothing here waits for real time.
        var clock = new FakeTimeProvider(fetchTime);
        using var http = new HttpClient(new RecordedCoinGeckoHandler([marketPage ?? MarketPage], File.ReadAllBytes(TestData.CoinGecko(TestData.Global))));
        var client = new CoinGeckoClient(http, new CoinGeckoOptions { CallsPerMinute = 1e12 }, clock);
        var extract = await new ExtractStep(client, Store, clock).RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = fetchTime }, null, CancellationToken.None);
        var transform = await new TransformStep(Store).RunAsync(new TransformInput { RawKey = extract.RawKey }, CancellationToken.None);
        await new LoadStep(Store, new DuckDbWarehouse(DatabasePath)).RunAsync(
            new LoadInput { CsvKey = transform.CsvKey, FetchTime = transform.FetchTime, ExpectedRows = transform.Rows },
            CancellationToken.None);
        return transform;
    }
}
