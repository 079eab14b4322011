using CryptoEtl.Core;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;
using DuckDB.NET.Data;

namespace CryptoEtl.DuckDb.Tests;

/// <summary>
/// Snowpipe's appends, played on DuckDB with Snowflake's V_SNAPSHOT_ROWS SQL of pipe mode
/// (infra/snowflake/09_snowpipe.sql, read as users run it; DuckDB's own v_snapshot_rows reads the
/// table as it is, since its load replaces a fetch_time's rows in one transaction). Every write of a snapshot is a new file
/// name (Snowpipe never reloads a name, ObjectKeys), the pipe appends each file's rows with its
/// name in source_file, and the views must show exactly the rows of the latest loaded file of each
/// fetch_time: a coin missing from the newer file is gone, none of the older file's rows survive.
/// </summary>
public sealed class DuplicateLoadTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Earlier = FetchTime.AddMinutes(-15);
    private readonly TempDirectory _dir = new();
    private DuckDBConnection _connection = null!;

    // Two writes of one snapshot, in write order (the write id is a UUIDv7: it sorts by write time).
    private readonly string _first = StagePath(FetchTime, new DateTimeOffset(2026, 11, 25, 12, 1, 0, TimeSpan.Zero));
    private readonly string _second = StagePath(FetchTime, new DateTimeOffset(2026, 11, 25, 12, 31, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        _connection = await DuckDbWarehouse.OpenAsync(_dir.Combine("warehouse.duckdb"), CancellationToken.None);
        await RunAsync($"CREATE TEMP VIEW snowflake_snapshot_rows AS {SnowflakeScripts.ViewBody("09_snowpipe.sql", "V_SNAPSHOT_ROWS")}");
        // The first write had three coins; the re-run's write has two, with bitcoin's price changed.
        await InsertAsync(FetchTime, "bitcoin", 90000, _first);
        await InsertAsync(FetchTime, "ethereum", 3000, _first);
        await InsertAsync(FetchTime, "dogecoin", 0.1, _first);
        await InsertAsync(FetchTime, "bitcoin", 91000, _second);
        await InsertAsync(FetchTime, "ethereum", 3000, _second);
        // An earlier snapshot loaded in COPY mode (source_file NULL): its rows are its fetch_time's only ones.
        await InsertAsync(Earlier, "bitcoin", 89000, null);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Write_ids_sort_by_write_time()
    {
        Assert.True(string.CompareOrdinal(_first, _second) < 0);
        var now = ObjectKeys.Csv(FetchTime, ObjectKeys.NewWriteId());
        Assert.True(string.CompareOrdinal(ObjectKeys.ProcessedPrefix + _second, now) < 0);
    }

    [Fact]
    public async Task Snapshot_rows_are_the_latest_files_rows_and_only_those()
    {
        var rows = await RowsAsync($"SELECT id, current_price FROM snowflake_snapshot_rows WHERE fetch_time = TIMESTAMPTZ '{ObjectKeys.Iso(FetchTime)}' ORDER BY id");

        Assert.Equal([["bitcoin", 91000.0], ["ethereum", 3000.0]], rows);
    }

    [Fact]
    public async Task A_copy_mode_snapshot_keeps_its_rows()
    {
        var rows = await RowsAsync($"SELECT id, current_price FROM snowflake_snapshot_rows WHERE fetch_time = TIMESTAMPTZ '{ObjectKeys.Iso(Earlier)}'");

        Assert.Equal([["bitcoin", 89000.0]], rows);
    }

    [Fact]
    public async Task Until_the_newer_file_loads_the_older_one_is_the_snapshot()
    {
        // A newer write that failed to load (or is still queued) has no rows: the last loaded file stays.
        await RunAsync($"DELETE FROM crypto_data WHERE source_file = '{_second}'");

        var rows = await RowsAsync($"SELECT id FROM snowflake_snapshot_rows WHERE fetch_time = TIMESTAMPTZ '{ObjectKeys.Iso(FetchTime)}' ORDER BY id");

        Assert.Equal([["bitcoin"], ["dogecoin"], ["ethereum"]], rows);
    }

    // The file's path as METADATA$FILENAME gives it: relative to the stage on processed/.
    private static string StagePath(DateTimeOffset fetchTime, DateTimeOffset written) =>
        ObjectKeys.Csv(fetchTime, Guid.CreateVersion7(written).ToString("N"))[ObjectKeys.ProcessedPrefix.Length..];

    private async Task<object?[][]> RowsAsync(string sql) =>
        (await DuckDbQuery.RunAsync(_connection, sql, CancellationToken.None)).Rows.Select(r => r.ToArray()).ToArray();

    private async Task RunAsync(string sql) => await DuckDbQuery.RunAsync(_connection, sql, CancellationToken.None);

    private async Task InsertAsync(DateTimeOffset fetchTime, string id, double price, string? file)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO crypto_data (fetch_time, vs_currency, id, current_price, source_file, loaded_at)
            VALUES ($1, 'usd', $2, $3, $4, $5)
            """;
        command.Parameters.Add(new DuckDBParameter(fetchTime.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter(id));
        command.Parameters.Add(new DuckDBParameter(price));
        command.Parameters.Add(new DuckDBParameter(file is null ? DBNull.Value : file));
        command.Parameters.Add(new DuckDBParameter(file is null ? DBNull.Value : fetchTime.AddMinutes(2).UtcDateTime));
        await command.ExecuteNonQueryAsync();
    }
}
