using System.Text;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Pipe mode's Load against the fake's Snowpipe REST API (load history shapes and statuses from
/// docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis, "Endpoint: loadHistoryScan"):
/// the CSV is written to a real folder store at <see cref="Written"/>, Snowpipe's entries are
/// scripted around that time.
/// </summary>
public sealed class SnowpipeWarehouseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Written = FetchTime.AddMinutes(2);
    private static readonly string CsvKey = ObjectKeys.Csv(FetchTime, StoredCsv.WriteId);
    private static readonly string StagePath = CsvKey["processed/".Length..];
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly SteppingTimeProvider _time = new(FetchTime.AddMinutes(4));
    private readonly HttpClient _http = new();
    private readonly TempDirectory _dir = new();
    private FileSystemObjectStore _store = null!;
    private FakeSnowflake _snowflake = null!;

    public async Task InitializeAsync()
    {
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time);
        _store = new FileSystemObjectStore(_dir.FullPath);
        await _store.PutAsync(CsvKey, "text/csv", (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes("fetch_time,id\n"), ct).AsTask(), CancellationToken.None);
        File.SetLastWriteTimeUtc(_store.LocalPathOf(CsvKey)!, Written.UtcDateTime);
    }

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private SnowpipeWarehouse Warehouse() => new(_http, TestKeys.Options(_snowflake.BaseAddress), _store, _time);

    private static SnapshotCsv Snapshot(int rows = 250) => new(CsvKey, FetchTime, rows);

    private string ScanPath => _snowflake.PipePath("loadHistoryScan");

    private void History(params object[] files) =>
        _snowflake.On("GET", ScanPath, SnowpipeResponses.LoadHistory(Written.AddMinutes(-1), FetchTime.AddMinutes(4), files));

    [Fact]
    public async Task An_ingested_file_is_the_load_and_no_warehouse_is_asked()
    {
        History(SnowpipeResponses.File(StagePath, "LOADED", Written.AddSeconds(30), 250));

        var loaded = await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        Assert.Empty(_snowflake.Problems);
        var request = Assert.Single(_snowflake.Requests);
        Assert.Equal("GET", request.Method);
        // No SQL API call at all: nothing could resume a warehouse.
        Assert.DoesNotContain(_snowflake.Requests, r => r.PathAndQuery.StartsWith(FakeSnowflake.StatementsPath, StringComparison.Ordinal));
        // The scan starts a minute (clock slack) before the CSV was written: the narrowest window the docs ask for.
        Assert.Matches($"^/v1/data/pipes/CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_PIPE/loadHistoryScan\\?startTimeInclusive=2026-11-25T12%3A01%3A00.000Z&requestId=[0-9a-f-]{{36}}$", request.PathAndQuery);
    }

    [Fact]
    public async Task A_file_not_yet_in_the_history_is_pending_for_the_state_machine_to_retry()
    {
        History();

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.IngestPending, ex.ErrorName);
        Assert.True(ex.IsTransient);
        Assert.Contains(CsvKey, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_snowflake.Problems);
    }

    [Fact]
    public async Task A_file_still_loading_is_pending()
    {
        History(SnowpipeResponses.File(StagePath, "LOAD_IN_PROGRESS", Written.AddSeconds(30), 100));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.IngestPending, ex.ErrorName);
    }

    [Fact]
    public async Task Another_files_load_does_not_confirm_this_csv()
    {
        // Every write has a name of its own (ObjectKeys.Csv): only this very name's entry counts.
        History(SnowpipeResponses.File("2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z_019ad0a1b2c37d4e8f90a1b2c3d4e5f7.csv", "LOADED", Written.AddSeconds(10), 250));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.IngestPending, ex.ErrorName);
    }

    [Fact]
    public async Task A_failed_ingestion_names_the_file_the_pipe_and_snowflakes_error()
    {
        const string FirstError = "Numeric value 'abc' is not recognized";
        History(SnowpipeResponses.File(StagePath, "LOAD_FAILED", Written.AddSeconds(30), 0, errorsSeen: 1, firstError: FirstError));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseError, ex.ErrorName);
        Assert.False(ex.IsTransient);
        Assert.Contains(CsvKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(SnowpipeResponses.Pipe, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"first error: {FirstError} (line 3, column \"CRYPTO_DATA\"[\"CURRENT_PRICE\":6])", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LOAD_FAILED", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_load_with_other_than_the_transformed_rows_is_a_row_count_mismatch()
    {
        History(SnowpipeResponses.File(StagePath, "LOADED", Written.AddSeconds(30), 240));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.RowCountMismatch, ex.ErrorName);
    }

    [Fact]
    public async Task An_unknown_pipe_is_a_configuration_error()
    {
        var options = TestKeys.Options(_snowflake.BaseAddress);
        var warehouse = new SnowpipeWarehouse(_http, new SnowflakeOptions
        {
            Account = options.Account, User = options.User, Warehouse = options.Warehouse, Role = options.Role,
            PrivateKey = options.PrivateKey, BaseUrl = options.BaseUrl, Pipe = "OTHER_PIPE",
        }, _store, _time);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => warehouse.LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("CRYPTO_ETL_DB.PUBLIC.OTHER_PIPE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snowpipe_rate_limiting_is_transient()
    {
        _snowflake.On("GET", ScanPath, (429, """{"message":"Too many requests"}"""));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseUnavailable, ex.ErrorName);
    }
}
