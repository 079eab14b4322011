using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.FileSystem;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Aws.Tests;

/// <summary>
/// The three real steps over the S3 store (moto) and over the folder store, from the same recorded
/// CoinGecko market: the objects and the DuckDB rows must be the same.
/// </summary>
public sealed class StepsOnS3Tests(MotoServer moto) : IClassFixture<MotoServer>, IDisposable
{
    private static readonly DateTimeOffset FetchTime = new(2024, 12, 19, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Extract_transform_load_give_the_same_objects_and_rows_on_S3_as_in_a_folder()
    {
        var folder = new FileSystemObjectStore(_temp.Combine("objects"));
        var s3 = S3ObjectStoreFactory.Create($"s3://{await moto.CreateBucketAsync()}/etl", moto.Endpoint);

        var (folderRun, folderDb) = await RunPipelineAsync(folder, "folder.duckdb");
        var (s3Run, s3Db) = await RunPipelineAsync(s3, "s3.duckdb");

        // Every write of a CSV has its own key (ObjectKeys.Csv), so the two runs' CSV keys differ; all else is equal.
        Assert.Equal(folderRun with { CsvKey = s3Run.CsvKey }, s3Run);
        Assert.True(ObjectKeys.IsCsvOf(s3Run.CsvKey, FetchTime), s3Run.CsvKey);
        Assert.Equal(250, s3Run.Rows + s3Run.Rejected);
        Assert.Equal(await folder.ReadAllBytesAsync(folderRun.RawKey, CancellationToken.None), await s3.ReadAllBytesAsync(s3Run.RawKey, CancellationToken.None));
        Assert.Equal(await folder.ReadAllBytesAsync(folderRun.CsvKey, CancellationToken.None), await s3.ReadAllBytesAsync(s3Run.CsvKey, CancellationToken.None));
        // The quality object names its CSV, the one thing in it that differs.
        Assert.Equal(
            Encoding.UTF8.GetString(await folder.ReadAllBytesAsync(folderRun.QualityKey, CancellationToken.None)).Replace(folderRun.CsvKey, s3Run.CsvKey, StringComparison.Ordinal),
            Encoding.UTF8.GetString(await s3.ReadAllBytesAsync(s3Run.QualityKey, CancellationToken.None)));

        const string sql = "SELECT * FROM crypto_data ORDER BY id";
        var folderRows = await DuckDbQuery.RunAsync(folderDb, sql, CancellationToken.None);
        var s3Rows = await DuckDbQuery.RunAsync(s3Db, sql, CancellationToken.None);
        Assert.Equal(s3Run.Rows, s3Rows.Rows.Count);
        Assert.Equal(folderRows.Columns, s3Rows.Columns);
        Assert.Equal(folderRows.Rows, s3Rows.Rows);
    }

    private async Task<(RunSummary Run, string Database)> RunPipelineAsync(IObjectStore store, string databaseName)
    {
        // Each reading of the clock moves it a minute on, so the client's pacing never waits.
        var clock = new FakeTimeProvider(FetchTime) { AutoAdvanceAmount = TimeSpan.FromMinutes(1) };
        var market = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Markets250));
        var global = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Global));
        var client = RecordedCoinGeckoHandler.CreateClient([market], global, clock);
        var database = _temp.Combine(databaseName);

        var extracted = await new ExtractStep(client, store, clock)
            .RunAsync(new ExtractInput { Pages = PageCount.Of(1), FetchTime = FetchTime }, null, CancellationToken.None);
        var transformed = await new TransformStep(store).RunAsync(new TransformInput { RawKey = extracted.RawKey }, CancellationToken.None);
        var loaded = await new LoadStep(store, new DuckDbWarehouse(database))
            .RunAsync(new LoadInput { CsvKey = transformed.CsvKey, FetchTime = transformed.FetchTime, ExpectedRows = transformed.Rows }, CancellationToken.None);

        Assert.Equal(transformed.Rows, loaded.RowsLoaded);
        return (new RunSummary(extracted.RawKey, transformed.CsvKey, transformed.QualityKey, transformed.Rows, transformed.Rejected), database);
    }

    private sealed record RunSummary(string RawKey, string CsvKey, string QualityKey, int Rows, int Rejected);
}
