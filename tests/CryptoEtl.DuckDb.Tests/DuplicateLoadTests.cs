using CryptoEtl.Testing;
using DuckDB.NET.Data;

namespace CryptoEtl.DuckDb.Tests;

/// <summary>
/// Snowpipe's duplicate load, played on DuckDB with Snowflake's V_SNAPSHOT_ROWS SQL
/// (TrendViews.DeduplicatedSnapshotRowsBody; TrendScriptTests holds 08_trends.sql to it): a re-run
/// re-writes a CSV, the pipe loads it again with a later METADATA$START_SCAN_TIME (loaded_at), and
/// the view must still give one row per (fetch_time, vs_currency, id): the latest load's. COPY-mode
/// rows (loaded_at NULL) lose to any pipe load of the same key. (DuckDB's own v_snapshot_rows reads
/// the table as it is: its load replaces a fetch_time's rows in one transaction.)
/// </summary>
public sealed class DuplicateLoadTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FirstLoad = new(2026, 11, 25, 12, 1, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SecondLoad = new(2026, 11, 25, 12, 31, 0, TimeSpan.Zero);
    private const string File = "2026/11/25/snapshot_20261125T120000Z.csv";
    private readonly TempDirectory _dir = new();
    private DuckDBConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = await DuckDbWarehouse.OpenAsync(_dir.Combine("warehouse.duckdb"), CancellationToken.None);
        await DuckDbQuery.RunAsync(_connection, $"CREATE TEMP VIEW snowflake_snapshot_rows AS {TrendViews.DeduplicatedSnapshotRowsBody}", CancellationToken.None);
        // The first load of the file, then the same file loaded again after a re-run changed bitcoin's
        // price; ethereum's key also has a COPY-mode row (loaded_at NULL) from before pipe mode.
        await InsertAsync("bitcoin", 1, 90000, FirstLoad);
        await InsertAsync("ethereum", 2, 3000, FirstLoad);
        await InsertAsync("bitcoin", 1, 91000, SecondLoad);
        await InsertAsync("ethereum", 2, 3001, SecondLoad);
        await InsertAsync("ethereum", 2, 2999, null);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Snapshot_rows_keep_the_latest_load_per_key()
    {
        var rows = (await DuckDbQuery.RunAsync(_connection, "SELECT id, current_price FROM snowflake_snapshot_rows ORDER BY id", CancellationToken.None)).Rows;

        Assert.Equal([["bitcoin", 91000.0], ["ethereum", 3001.0]], rows.Select(r => r.ToArray()).ToArray());
    }

    [Fact]
    public async Task A_copy_mode_table_without_load_times_is_unchanged()
    {
        await DuckDbQuery.RunAsync(_connection, "DELETE FROM crypto_data WHERE loaded_at IS NOT NULL", CancellationToken.None);

        var rows = (await DuckDbQuery.RunAsync(_connection, "SELECT id, current_price FROM snowflake_snapshot_rows", CancellationToken.None)).Rows;

        Assert.Equal([["ethereum", 2999.0]], rows.Select(r => r.ToArray()).ToArray());
    }

    private async Task InsertAsync(string id, long rank, double price, DateTimeOffset? loadedAt)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO crypto_data (fetch_time, vs_currency, id, market_cap_rank, current_price, source_file, loaded_at)
            VALUES ($1, 'usd', $2, $3, $4, $5, $6)
            """;
        command.Parameters.Add(new DuckDBParameter(FetchTime.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter(id));
        command.Parameters.Add(new DuckDBParameter(rank));
        command.Parameters.Add(new DuckDBParameter(price));
        command.Parameters.Add(new DuckDBParameter(loadedAt is null ? DBNull.Value : File));
        command.Parameters.Add(new DuckDBParameter(loadedAt is { } at ? at.UtcDateTime : DBNull.Value));
        await command.ExecuteNonQueryAsync();
    }
}
