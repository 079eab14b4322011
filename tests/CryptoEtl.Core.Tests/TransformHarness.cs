using System.Text;
using System.Text.Json;
using CryptoEtl.Core.Steps;
using CryptoEtl.Core.Transform;
using CryptoEtl.Testing;
using CsvHelper;

namespace CryptoEtl.Core.Tests;

/// <summary>What one transform run left in the store, read back independently (CsvHelper, System.Text.Json).</summary>
public sealed record TransformResult(
    TransformOutput Output,
    IReadOnlyList<string> Header,
    IReadOnlyList<IReadOnlyDictionary<string, string?>> Rows,
    byte[] CsvBytes,
    QualityReport Quality)
{
    public IReadOnlyDictionary<string, string?> Row(string id) => Rows.Single(r => r["id"] == id);
}

/// <summary>Runs TransformStep against a real folder store.</summary>
public sealed class TransformHarness : IDisposable
{
    public static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    public const string RawKey = "raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json";

    private readonly TempDirectory _directory = new();

    public TransformHarness()
    {
        Store = new FileSystemObjectStore(_directory.FullPath);
    }

    public FileSystemObjectStore Store { get; }

    public static byte[] Fixture(string name) => File.ReadAllBytes(TestData.CoinGecko(name));

    /// <summary>A /global response of the same moment as the market: only total_market_cap.usd matters here.</summary>
    public static byte[] GlobalWithUsdTotal(string usdTotal) =>
        Encoding.UTF8.GetBytes($$$"""{"data":{"active_cryptocurrencies":17000,"total_market_cap":{"usd":{{{usdTotal}}},"eur":1},"updated_at":1734605100}}""");

    /// <summary>A raw object whose pages are JSON arrays written in the test.</summary>
    public static byte[] Raw(params string[] pages) =>
        RawSnapshots.Build(FetchTime, pages.Select(Encoding.UTF8.GetBytes), Fixture(TestData.Global));

    /// <param name="raw">The raw object, stored under <see cref="RawKey"/>.</param>
    /// <param name="spoolMemory">Rows kept in memory before the spool spills to a temporary file; null for the default.</param>
    public async Task<TransformResult> RunAsync(byte[] raw, long? spoolMemory = null)
    {
        await Store.PutBytesAsync(RawKey, ContentTypes.Json, raw, CancellationToken.None);
        var step = spoolMemory is { } memory ? new TransformStep(Store, memory) : new TransformStep(Store);
        var output = await step.RunAsync(new TransformInput { RawKey = RawKey }, CancellationToken.None);
        var csv = await Store.ReadAllBytesAsync(output.CsvKey, CancellationToken.None);
        var quality = JsonSerializer.Deserialize(
            await Store.ReadAllBytesAsync(output.QualityKey, CancellationToken.None),
            QualityJsonContext.Default.QualityReport)!;

        using var reader = CsvReader.Create(new MemoryStream(csv), CsvReaderOptions.Default);
        var header = reader.Headers.ToArray();
        var rows = new List<IReadOnlyDictionary<string, string?>>();
        while (reader.Read())
        {
            Assert.Equal(header.Length, reader.FieldCount);
            rows.Add(header.Select((name, i) => (name, reader.IsEmpty(i) ? null : reader.GetString(i))).ToDictionary(x => x.name, x => x.Item2));
        }

        return new TransformResult(output, header, rows, csv, quality);
    }

    public async Task<List<string>> ProcessedKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var info in Store.ListAsync(ObjectKeys.ProcessedPrefix, CancellationToken.None))
        {
            keys.Add(info.Key);
        }

        return keys;
    }

    public void Dispose() => _directory.Dispose();
}
