using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// `cryptoetl run --store s3://...` against a real S3-compatible server (moto on 127.0.0.1):
/// the same rows as a run over the local folder.
/// </summary>
public sealed class S3EndToEndTests(MotoServer moto) : IClassFixture<MotoServer>, IDisposable
{
    private const string FetchTime = "2026-11-25T12:00:00Z";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_run_over_S3_loads_the_same_rows_as_a_run_over_the_folder()
    {
        var bucket = await moto.CreateBucketAsync();
        string[] common = ["run", "--offline", "--input", $$"""{"fetch_time":"{{FetchTime}}"}"""];

        var overFolder = await CliRunner.RunAsync([.. common, "--data-dir", _dir.Combine("folder")]);
        var overS3 = await CliRunner.RunAsync([.. common, "--data-dir", _dir.Combine("s3"),
            "--store", $"s3://{bucket}/snapshots", "--s3-endpoint", moto.Endpoint.ToString()]);

        Assert.True(overFolder.Exit == 0, overFolder.Error);
        Assert.True(overS3.Exit == 0, overS3.Error);
        var fetchTime = DateTimeOffset.Parse(FetchTime, System.Globalization.CultureInfo.InvariantCulture);
        var keys = new List<string>();
        var s3 = new Aws.S3ObjectStore(moto.S3, bucket, "snapshots");
        await foreach (var info in s3.ListAsync("", default))
        {
            keys.Add(info.Key);
        }

        Assert.Equal(new[] { await StoredCsv.SingleKeyAsync(s3, fetchTime), ObjectKeys.Quality(fetchTime), ObjectKeys.Raw(fetchTime) }.Order(StringComparer.Ordinal), keys);
        Assert.False(Directory.Exists(_dir.Combine("s3", "objects")), "the S3 run wrote objects to the local folder");
        const string everything = "SELECT * FROM crypto_data ORDER BY id";
        var folderRows = (await DuckDbQuery.RunAsync(_dir.Combine("folder", "warehouse.duckdb"), everything, default)).Rows;
        var s3Rows = (await DuckDbQuery.RunAsync(_dir.Combine("s3", "warehouse.duckdb"), everything, default)).Rows;
        Assert.Equal(100, folderRows.Count);
        Assert.Equal(folderRows, s3Rows);
    }
}
