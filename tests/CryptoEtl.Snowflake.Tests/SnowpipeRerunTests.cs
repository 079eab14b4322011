using System.Globalization;
using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;
using DuckDB.NET.Data;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Pipe mode against a pipe that follows Snowflake's documented rules (<see cref="FakeSnowpipe"/>:
/// a name seen in 14 days never loads again, failed files stay registered): a re-run, a forced
/// smaller replacement and a repair after LOAD_FAILED each write a CSV under a new name, the pipe
/// loads it, Load confirms it, and the views (V_SNAPSHOT_ROWS of infra/snowflake/09_snowpipe.sql,
/// run on the rows the pipe appended) hold exactly the new file's rows and none of the old.
/// </summary>
public sealed class SnowpipeRerunTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly SteppingTimeProvider _time = new(FetchTime.AddHours(1));
    private readonly HttpClient _http = new();
    private readonly TempDirectory _dir = new();
    private readonly FakeSnowpipe _pipe = new();
    private FileSystemObjectStore _store = null!;
    private FakeSnowflake _snowflake = null!;

    public async Task InitializeAsync()
    {
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time);
        _snowflake.Snowpipe = _pipe;
        _store = new FileSystemObjectStore(_dir.Combine("objects"));
    }

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_rerun_of_the_same_fetch_time_loads_and_replaces_the_snapshot()
    {
        await RunAsync(minute: 2, ("bitcoin", "90000"), ("ethereum", "3000"));

        var rerun = await WriteAsync(minute: 10, ("bitcoin", "91000"), ("ethereum", "3001"));
        // Before Snowpipe has taken the new file, Load waits (the Load state's Retry) ...
        var pending = await Assert.ThrowsAsync<PipelineException>(() => LoadAsync(rerun, 2));
        Assert.Equal(ErrorNames.IngestPending, pending.ErrorName);
        // ... the earlier file's load never confirms the new one ...
        Assert.True(_pipe.Notify(StagePath(rerun), await CsvAsync(rerun), At(10.1)));
        // ... and once it has, the load is confirmed and the views show the new rows only.
        Assert.Equal(2, (await LoadAsync(rerun, 2)).RowsLoaded);

        Assert.Equal([["bitcoin", 91000.0], ["ethereum", 3001.0]], await SnapshotRowsAsync());
        Assert.Empty(_snowflake.Problems);
    }

    [Fact]
    public async Task A_forced_smaller_replacement_leaves_no_coin_of_the_old_file()
    {
        await RunAsync(minute: 2, ("bitcoin", "90000"), ("ethereum", "3000"), ("dogecoin", "0.1"));

        await RunAsync(minute: 20, ("bitcoin", "90500"));

        Assert.Equal([["bitcoin", 90500.0]], await SnapshotRowsAsync());
    }

    [Fact]
    public async Task A_repair_after_load_failed_loads_and_the_failed_name_stays_ignored()
    {
        var broken = await WriteAsync(minute: 2, ("bitcoin", "90000"));
        _pipe.Notify(StagePath(broken), await CsvAsync(broken), At(2.1), error: "Numeric value 'abc' is not recognized");
        var failed = await Assert.ThrowsAsync<PipelineException>(() => LoadAsync(broken, 1));
        Assert.Equal(ErrorNames.WarehouseError, failed.ErrorName);
        Assert.Contains("LOAD_FAILED", failed.Message, StringComparison.Ordinal);

        // The same name again is ignored by the pipe (failed files stay registered) ...
        Assert.False(_pipe.Notify(StagePath(broken), await CsvAsync(broken), At(3)));
        // ... so the repair is a new write, under a new name, which loads.
        await RunAsync(minute: 30, ("bitcoin", "90001"), ("ethereum", "3000"));

        Assert.Equal([["bitcoin", 90001.0], ["ethereum", 3000.0]], await SnapshotRowsAsync());
    }

    [Fact]
    public async Task The_pipe_never_reloads_a_name_it_has_seen_within_14_days()
    {
        // The design this replaces: a re-run re-writing the same key gets no new load at all.
        const string Path = "2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.csv";
        Assert.True(_pipe.Notify(Path, "h\na\nb\n", At(2)));
        Assert.False(_pipe.Notify(Path, "h\na\n", At(10)));
        Assert.False(_pipe.Notify(Path, "h\na\n", At(2) + FakeSnowpipe.HistoryKept - TimeSpan.FromSeconds(1)));

        Assert.Equal(2, _pipe.Rows.Count);
    }

    [Fact]
    public async Task Complete_result_is_a_string_and_a_scan_holds_at_most_10000_entries()
    {
        var csv = await WriteAsync(minute: 2, ("bitcoin", "90000"));
        // A busy pipe: 10,000 other files loaded just before ours in the scan's range.
        _pipe.AddOtherFiles(FakeSnowpipe.MaxEntriesPerScan, At(1.5));
        _pipe.Notify(StagePath(csv), await CsvAsync(csv), At(2.1));

        Assert.Equal(1, (await LoadAsync(csv, 1)).RowsLoaded);

        var scans = _snowflake.Requests.Where(r => r.PathAndQuery.Contains("/loadHistoryScan?", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, scans.Count);
        var (_, first) = _pipe.Scan(At(1), At(60), _time.GetUtcNow());
        Assert.Contains("\"completeResult\":\"false\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_older_than_14_days_is_gone()
    {
        _pipe.Notify("2026/11/01/old.csv", "h\na\n", FetchTime.AddDays(-15));

        var (_, body) = _pipe.Scan(FetchTime.AddDays(-20), FetchTime.AddHours(1), _time.GetUtcNow());

        Assert.Contains("\"files\":[]", body, StringComparison.Ordinal);
        Assert.Contains("\"completeResult\":\"true\"", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// 403 without MONITOR on the pipe, 404 without any privilege on it (Snowpipe REST API page,
    /// loadHistoryScan's response codes). The REST API takes no role, so the messages name the
    /// user's default role, never SNOWFLAKE_ROLE's.
    /// </summary>
    [Theory]
    [InlineData(PipeAccess.WithoutMonitor, "(HTTP 403): the default role of user crypto_etl_loader_user lacks MONITOR on the pipe")]
    [InlineData(PipeAccess.None, "or the default role of user crypto_etl_loader_user has no privilege on it")]
    public async Task A_role_short_of_privileges_on_the_pipe_is_told_which(PipeAccess access, string expected)
    {
        var csv = await WriteAsync(minute: 2, ("bitcoin", "90000"));
        _snowflake.PipeAccess = access;

        var ex = await Assert.ThrowsAsync<PipelineException>(() => LoadAsync(csv, 1));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SNOWFLAKE_ROLE", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("role CRYPTO_ETL_LOADER ", ex.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset At(double minutes) => FetchTime.AddMinutes(minutes);

    private static string StagePath(string csvKey) => new SnapshotCsv(csvKey, FetchTime, 0).StagePath;

    /// <summary>Transform's write (a new key each time), the pipe's load of it, and Load's confirmation.</summary>
    private async Task RunAsync(int minute, params (string Id, string Price)[] coins)
    {
        var key = await WriteAsync(minute, coins);
        Assert.True(_pipe.Notify(StagePath(key), await CsvAsync(key), At(minute + 0.1)));
        Assert.Equal(coins.Length, (await LoadAsync(key, coins.Length)).RowsLoaded);
    }

    private async Task<string> WriteAsync(int minute, params (string Id, string Price)[] coins)
    {
        var key = ObjectKeys.Csv(FetchTime, Guid.CreateVersion7(At(minute)).ToString("N"));
        var text = CryptoSchema.CsvHeader + "\n" + string.Concat(coins.Select(c => Row(c.Id, c.Price) + "\n"));
        await _store.PutBytesAsync(key, ContentTypes.Csv, Encoding.UTF8.GetBytes(text), CancellationToken.None);
        File.SetLastWriteTimeUtc(_store.LocalPathOf(key)!, At(minute).UtcDateTime);
        return key;
    }

    private async Task<string> CsvAsync(string key) => Encoding.UTF8.GetString(await _store.ReadAllBytesAsync(key, CancellationToken.None));

    private Task<LoadOutput> LoadAsync(string key, int rows) =>
        new LoadStep(_store, new SnowpipeWarehouse(_http, TestKeys.Options(_snowflake.BaseAddress), _store, _time))
            .RunAsync(new LoadInput { CsvKey = key, FetchTime = FetchTime, ExpectedRows = rows }, CancellationToken.None);

    /// <summary>The pipe's appended rows in a table with SOURCE_FILE, read through Snowflake's V_SNAPSHOT_ROWS SQL.</summary>
    private async Task<object?[][]> SnapshotRowsAsync()
    {
        await using var connection = await DuckDbWarehouse.OpenAsync(_dir.Combine("warehouse.duckdb"), CancellationToken.None);
        foreach (var (file, row) in _pipe.Rows)
        {
            var fields = row.Split(',');
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO crypto_data (fetch_time, vs_currency, id, current_price, source_file) VALUES ($1, $2, $3, $4, $5)";
            insert.Parameters.Add(new DuckDBParameter(DateTimeOffset.Parse(fields[CryptoSchema.IndexOf("fetch_time")], CultureInfo.InvariantCulture).UtcDateTime));
            insert.Parameters.Add(new DuckDBParameter(fields[CryptoSchema.IndexOf("vs_currency")]));
            insert.Parameters.Add(new DuckDBParameter(fields[CryptoSchema.IndexOf("id")]));
            insert.Parameters.Add(new DuckDBParameter(double.Parse(fields[CryptoSchema.IndexOf("current_price")], CultureInfo.InvariantCulture)));
            insert.Parameters.Add(new DuckDBParameter(file));
            await insert.ExecuteNonQueryAsync();
        }

        var rows = (await DuckDbQuery.RunAsync(connection, $"SELECT id, current_price FROM ({SnowflakeScripts.ViewBody("09_snowpipe.sql", "V_SNAPSHOT_ROWS")}) ORDER BY id", CancellationToken.None)).Rows;
        return [.. rows.Select(r => r.ToArray())];
    }

    private static string Row(string id, string price)
    {
        var values = new string[CryptoSchema.Columns.Count];
        values[CryptoSchema.IndexOf("fetch_time")] = ObjectKeys.Iso(FetchTime);
        values[CryptoSchema.IndexOf("vs_currency")] = "usd";
        values[CryptoSchema.IndexOf("id")] = id;
        values[CryptoSchema.IndexOf("symbol")] = id[..3];
        values[CryptoSchema.IndexOf("name")] = id;
        values[CryptoSchema.IndexOf("current_price")] = price;
        return string.Join(',', values.Select(v => v ?? ""));
    }
}
