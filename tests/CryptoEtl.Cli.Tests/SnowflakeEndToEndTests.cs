using System.Globalization;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Snowflake;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// `cryptoetl run --warehouse snowflake`: objects in S3 (moto on 127.0.0.1), the load through the
/// Snowflake SQL API (the fake on 127.0.0.1, which checks the key-pair JWT and every request).
/// </summary>
public sealed class SnowflakeEndToEndTests(MotoServer moto) : IClassFixture<MotoServer>, IAsyncLifetime
{
    private const string FetchTime = "2026-11-25T12:00:00Z";
    private const string Table = "CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA";
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly TempDirectory _dir = new();
    private FakeSnowflake _snowflake = null!;

    public async Task InitializeAsync() =>
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", TimeProvider.System);

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Run_loads_the_transformed_csv_from_the_stage_through_one_authenticated_transaction()
    {
        var bucket = await moto.CreateBucketAsync();
        const int Rows = 100;
        _snowflake.On("POST", FakeSnowflake.StatementsPath,
            Responses.MultiStatementDone(),
            Responses.Query(["MARKET_CAP_RANK", "NAME", "SYMBOL", "DOMINANCE_PERCENTAGE"],
                ["1", "Bitcoin", "btc", "5.6123456e+01"], ["2", "Ethereum", "eth", "12.3"]));
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(Rows, 0, Rows));

        var (exit, output, error) = await RunAsync(bucket);

        Assert.True(exit == 0, error + output);
        Assert.Empty(_snowflake.Problems);
        var fetchTime = DateTimeOffset.Parse(FetchTime, CultureInfo.InvariantCulture);
        var store = new Aws.S3ObjectStore(moto.S3, bucket, "snapshots");
        var csvKey = await StoredCsv.SingleKeyAsync(store, fetchTime);
        var csv = Encoding.UTF8.GetString(await store.ReadAllBytesAsync(csvKey, default));
        Assert.Equal(Rows, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1);

        // First the check that no pipe feeds the table (bulk or Snowpipe, not both), then the load and the summary's query.
        Assert.True(FakeSnowflake.IsShowPipes(_snowflake.Requests.First(r => r.Method == "POST")));
        var posts = _snowflake.Requests.Where(r => r.Method == "POST" && !FakeSnowflake.IsShowPipes(r)).ToList();
        Assert.Equal(2, posts.Count);
        using var load = JsonDocument.Parse(posts[0].Body);
        Assert.Equal("7", load.RootElement.GetProperty("parameters").GetProperty("MULTI_STATEMENT_COUNT").GetString());
        var statements = load.RootElement.GetProperty("statement").GetString()!.Split(";\n");
        Assert.Equal($"DELETE FROM {Table} WHERE FETCH_TIME = {SnowflakeSql.FetchTimeLiteral(fetchTime)}", statements[2]);
        // The stage sits on the store's processed/ prefix: COPY names the key the transform wrote, relative to it.
        Assert.StartsWith($"COPY INTO {Table} (FETCH_TIME, ", statements[SnowflakeSql.CopyStatementIndex], StringComparison.Ordinal);
        Assert.Contains($" FROM @CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE/{csvKey["processed/".Length..]})",
            statements[SnowflakeSql.CopyStatementIndex], StringComparison.Ordinal);
        Assert.Matches("^processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z_[0-9a-f]{32}[.]csv$", csvKey);
        Assert.Contains($"IFF(COUNT(*) = {Rows},", statements[4], StringComparison.Ordinal);
        Assert.StartsWith($"DELETE FROM {Table} WHERE BACKFILL_ID IS NOT NULL ", statements[5], StringComparison.Ordinal);
        Assert.Equal("COMMIT", statements[6]);
        Assert.Equal("CRYPTO_ETL_WH", load.RootElement.GetProperty("warehouse").GetString());
        Assert.Equal("CRYPTO_ETL_LOADER", load.RootElement.GetProperty("role").GetString());

        // COPY's own report was read by its statement handle (rows_loaded must equal the transform's rows).
        Assert.Contains(_snowflake.Requests, r => r.Method == "GET" && r.PathAndQuery == $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}");

        // The top 10 comes from Snowflake too, for this fetch time, bound.
        using var top = JsonDocument.Parse(posts[1].Body);
        Assert.Contains($"FROM {Table}", top.RootElement.GetProperty("statement").GetString(), StringComparison.Ordinal);
        Assert.Equal(FetchTime, top.RootElement.GetProperty("bindings").GetProperty("1").GetProperty("value").GetString());
        Assert.Matches(@"Bitcoin\s*│\s*btc\s*│\s*56\.12", output);

        Assert.Contains($"{Rows} rows loaded into Snowflake {Table}", output, StringComparison.Ordinal);
        Assert.Contains("no HTML report", output, StringComparison.Ordinal);
        Assert.Empty(error);
        Assert.False(File.Exists(_dir.Combine("warehouse.duckdb")), "a Snowflake run created the local DuckDB file");
        Assert.False(File.Exists(_dir.Combine(ReportCommand.DefaultFileName)));
    }

    [Fact]
    public async Task A_Snowflake_error_fails_the_run_with_one_line_naming_it()
    {
        var bucket = await moto.CreateBucketAsync();
        // Snowflake wraps the COPY's error in its multi-statement error (code 100132).
        _snowflake.FailStatement(SnowflakeSql.CopyStatementIndex + 1,
            "SQL compilation error:\nStage 'CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE' does not exist or not authorized.");

        var (exit, output, error) = await RunAsync(bucket);

        Assert.NotEqual(0, exit);
        Assert.Empty(_snowflake.Problems);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"cryptoetl: {ErrorNames.WarehouseError}: Snowflake rolled back the load of ", line, StringComparison.Ordinal);
        Assert.Contains("statement 4 of 7 (COPY INTO) failed: SQL compilation error: "
            + "Stage 'CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE' does not exist or not authorized.", line, StringComparison.Ordinal);
        Assert.Contains("code 100132", line, StringComparison.Ordinal);
        // WarehouseError is not transient: one submit, no retry.
        Assert.Single(_snowflake.Requests, r => r.Method == "POST" && !FakeSnowflake.IsShowPipes(r));
        Assert.DoesNotContain("rows loaded into", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_store_is_refused_before_anything_runs()
    {
        var (exit, output, error) = await CliRunner.RunAsync(SnowflakeEnvironment(),
            "run", "--offline", "--data-dir", _dir.FullPath, "--warehouse", "snowflake");

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.Configuration}: --warehouse snowflake loads from Snowflake's external stage", error, StringComparison.Ordinal);
        Assert.Contains("needs --store s3://bucket[/prefix]", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.FullPath, "objects"), error, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.False(Directory.Exists(_dir.Combine("objects")), "the refused run extracted anyway");
        Assert.Empty(_snowflake.Requests);
    }

    [Fact]
    public async Task Missing_Snowflake_settings_are_named()
    {
        var bucket = await moto.CreateBucketAsync();
        var (exit, _, error) = await CliRunner.RunAsync(new Dictionary<string, string>(),
            "load", "--input", $$"""{"csv_key":"processed/x.csv","fetch_time":"{{FetchTime}}","expected_rows":1}""",
            "--store", $"s3://{bucket}", "--s3-endpoint", moto.Endpoint.ToString(), "--warehouse", "snowflake");

        Assert.Equal(1, exit);
        Assert.Equal($"cryptoetl: {ErrorNames.Configuration}: missing Snowflake settings: {SettingNames.SnowflakePrivateKeyPath}", error.Trim());
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(string bucket) =>
        CliRunner.RunAsync(SnowflakeEnvironment(),
            "run", "--offline", "--data-dir", _dir.FullPath, "--input", $$"""{"fetch_time":"{{FetchTime}}"}""",
            "--store", $"s3://{bucket}/snapshots", "--s3-endpoint", moto.Endpoint.ToString(), "--warehouse", "snowflake");

    private Dictionary<string, string> SnowflakeEnvironment() => new()
    {
        [SettingNames.SnowflakeAccount] = "xy12345.us-east-1",
        [SettingNames.SnowflakeUser] = "crypto_etl_loader_user",
        [SettingNames.SnowflakeWarehouse] = "CRYPTO_ETL_WH",
        [SettingNames.SnowflakeRole] = "CRYPTO_ETL_LOADER",
        [SettingNames.SnowflakePrivateKeyPath] = TestData.Path("snowflake", "test_rsa_key.p8"),
        [SettingNames.SnowflakeApiUrl] = _snowflake.BaseAddress.ToString(),
    };
}
