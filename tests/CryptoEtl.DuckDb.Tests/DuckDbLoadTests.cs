using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;

namespace CryptoEtl.DuckDb.Tests;

public sealed class DuckDbLoadTests : IDisposable
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FileSystemObjectStore _store;
    private readonly DuckDbWarehouse _warehouse;

    public DuckDbLoadTests()
    {
        _store = new FileSystemObjectStore(_dir.Combine("objects"));
        _warehouse = new DuckDbWarehouse(_dir.Combine("warehouse.duckdb"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Load_inserts_rows_with_their_types()
    {
        var key = await PutCsvAsync(Row("bitcoin", "BTC", "Bitcoin, the first", "96000.5", "1.9e+12"), Row("tiny", "tny", "Tiny", "3.711857321470539e-09", ""));

        var output = await new LoadStep(_store, _warehouse).RunAsync(Input(key, 2), CancellationToken.None);

        Assert.Equal(2, output.RowsLoaded);
        var rows = await QueryAsync("SELECT id, name, current_price, market_cap FROM crypto_data ORDER BY id");
        Assert.Equal(["bitcoin", "Bitcoin, the first", 96000.5, 1.9e12], rows[0]);
        Assert.Equal(["tiny", "Tiny", 3.711857321470539e-09, null], rows[1]);
    }

    [Fact]
    public async Task A_reader_on_the_loading_instance_works_in_utc_whatever_the_instance_was_set_to()
    {
        await _warehouse.PrepareAsync(CancellationToken.None);
        await using var other = await _warehouse.OpenReaderAsync(CancellationToken.None);
        await using (var set = other.CreateCommand())
        {
            set.CommandText = "SET GLOBAL TimeZone = 'America/New_York'";
            await set.ExecuteNonQueryAsync();
        }

        await using var reader = await _warehouse.OpenReaderAsync(CancellationToken.None);
        await using var command = reader.CreateCommand();
        command.CommandText = "SELECT current_setting('TimeZone')";

        Assert.Equal("UTC", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Loading_the_same_snapshot_twice_keeps_one_copy()
    {
        var key = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "3", "4"));
        var step = new LoadStep(_store, _warehouse);

        await step.RunAsync(Input(key, 2), CancellationToken.None);
        await step.RunAsync(Input(key, 2), CancellationToken.None);

        Assert.Equal(2L, (await QueryAsync("SELECT count(*) FROM crypto_data"))[0][0]);
    }

    [Fact]
    public async Task Each_load_indexes_its_snapshot_in_the_same_transaction_and_a_rerun_replaces_it()
    {
        var step = new LoadStep(_store, _warehouse);
        await step.RunAsync(Input(await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "3", "4")), 2), CancellationToken.None);
        Assert.Equal([[2L, 6.0, 1.0]], await QueryAsync("SELECT coins, total_market_cap, btc_price FROM v_market_timeseries"));

        // A re-run with other rows; then a failing one, which must leave the index as the rows are.
        await step.RunAsync(Input(await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "5", "7")), 1), CancellationToken.None);
        var bad = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "five", "7"));
        await Assert.ThrowsAsync<PipelineException>(() => step.RunAsync(Input(bad, 1), CancellationToken.None));

        Assert.Equal([[FetchTime, 1L, 7.0, 5.0]], (await QueryAsync("SELECT fetch_time, coins, total_market_cap, btc_price FROM crypto_snapshots"))
            .Select(r => new object?[] { r[0] is DateTime d ? new DateTimeOffset(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc)) : r[0], r[1], r[2], r[3] }).ToList());
    }

    [Fact]
    public async Task A_warehouse_made_before_the_snapshot_index_gains_it_from_its_rows_when_opened()
    {
        await new LoadStep(_store, _warehouse).RunAsync(Input(await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "3", "4")), 2), CancellationToken.None);
        await QueryAsync("DROP VIEW v_latest_snapshot");
        await QueryAsync("DROP VIEW v_movers");
        await QueryAsync("DROP VIEW v_coin_changes");
        await QueryAsync("DROP VIEW v_market_timeseries");
        await QueryAsync("DROP TABLE crypto_snapshots");

        // QueryAsync opens the file as a load does, which rebuilds the index from the table.
        Assert.Equal([[2L, 6.0]], await QueryAsync("SELECT coins, total_market_cap FROM v_market_timeseries"));
        Assert.Equal(2L, (await QueryAsync("SELECT count(*) FROM v_latest_snapshot"))[0][0]);
    }

    [Fact]
    public async Task A_wrong_header_fails_before_the_warehouse_is_touched()
    {
        var key = ObjectKeys.Csv(FetchTime, StoredCsv.WriteId);
        await _store.PutBytesAsync(key, ContentTypes.Csv, Encoding.UTF8.GetBytes("id,symbol\nbitcoin,btc\n"), CancellationToken.None);
        var spy = new SpyWarehouse();

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, spy).RunAsync(Input(key, 1), CancellationToken.None));

        Assert.Equal(ErrorNames.CsvSchemaMismatch, error.ErrorName);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, spy.Calls);
    }

    [Fact]
    public async Task A_record_with_a_missing_field_fails_before_the_warehouse_is_touched()
    {
        var row = Row("bitcoin", "btc", "Bitcoin", "1", "2");
        var key = await PutCsvAsync(row[..row.LastIndexOf(',')]);
        var spy = new SpyWarehouse();

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, spy).RunAsync(Input(key, 1), CancellationToken.None));

        Assert.Equal(ErrorNames.CsvSchemaMismatch, error.ErrorName);
        Assert.Contains("record 1 has 31 fields, the schema has 32", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, spy.Calls);
    }

    [Fact]
    public async Task A_row_count_other_than_the_transforms_fails_and_loads_nothing()
    {
        var key = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"));

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, _warehouse).RunAsync(Input(key, 5), CancellationToken.None));

        Assert.Equal(ErrorNames.RowCountMismatch, error.ErrorName);
        Assert.Equal(0L, (await QueryAsync("SELECT count(*) FROM crypto_data"))[0][0]);
    }

    [Fact]
    public async Task A_warehouse_error_mid_load_rolls_back_and_keeps_the_previous_rows()
    {
        var good = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "3", "4"));
        await new LoadStep(_store, _warehouse).RunAsync(Input(good, 2), CancellationToken.None);
        // Same snapshot again, but its second row has text where DuckDB expects a number.
        var bad = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "three", "4"));

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, _warehouse).RunAsync(Input(bad, 2), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseError, error.ErrorName);
        var rows = await QueryAsync("SELECT id, current_price FROM crypto_data ORDER BY id");
        Assert.Equal([["bitcoin", 1.0], ["ethereum", 3.0]], rows);
    }

    [Fact]
    public async Task Rows_of_another_fetch_time_make_the_load_fail()
    {
        var key = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2", "2020-01-01T00:00:00Z"));

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, _warehouse).RunAsync(Input(key, 1), CancellationToken.None));

        Assert.Equal(ErrorNames.RowCountMismatch, error.ErrorName);
        Assert.Equal(0L, (await QueryAsync("SELECT count(*) FROM crypto_data"))[0][0]);
    }

    [Fact]
    public async Task A_missing_csv_names_the_key()
    {
        var key = ObjectKeys.Csv(FetchTime, StoredCsv.WriteId);

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, _warehouse).RunAsync(Input(key, 1), CancellationToken.None));

        Assert.Equal(ErrorNames.ObjectNotFound, error.ErrorName);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_key_of_another_fetch_time_is_invalid_input_before_anything_is_read()
    {
        // The CSV of 13:00:00 exists, but the input's fetch_time is 12:00:00: loading it would replace 12:00's rows with 13:00's.
        var otherKey = ObjectKeys.Csv(FetchTime.AddHours(1), StoredCsv.WriteId);
        await _store.PutBytesAsync(otherKey, ContentTypes.Csv, Encoding.UTF8.GetBytes(CryptoSchema.CsvHeader + "\n"), CancellationToken.None);
        var store = new CountingStore(_store, localFiles: true);
        var spy = new SpyWarehouse();

        var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(store, spy).RunAsync(Input(otherKey, 0), CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, error.ErrorName);
        Assert.Equal(
            $"load input's csv_key processed/2026/11/25/processed_crypto_data_2026-11-25T13-00-00Z_{StoredCsv.WriteId}.csv is not a CSV of its fetch_time 2026-11-25T12:00:00Z "
            + "(processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z_<write id>.csv)",
            error.Message);
        Assert.Equal(0, store.Opens);
        Assert.Equal(0, spy.Calls);
    }

    [Fact]
    public async Task A_database_locked_by_another_process_is_a_transient_error_naming_the_file()
    {
        var key = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"));
        await (await DuckDbWarehouse.OpenAsync(_warehouse.DatabasePath, CancellationToken.None)).DisposeAsync();
        await using (await FileLockHolder.LockAsync(_warehouse.DatabasePath))
        {
            var error = await Assert.ThrowsAsync<PipelineException>(() => new LoadStep(_store, _warehouse).RunAsync(Input(key, 1), CancellationToken.None));

            Assert.Equal(ErrorNames.WarehouseUnavailable, error.ErrorName);
            Assert.Contains(_warehouse.DatabasePath, error.Message, StringComparison.Ordinal);
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, (await new LoadStep(_store, _warehouse).RunAsync(Input(key, 1), CancellationToken.None)).RowsLoaded);
    }

    /// <summary>
    /// Load reads the CSV from the store once: the shape check is that read, and DuckDB gets the
    /// store's own file in place (a folder) or the copy the check wrote (any other store, e.g. S3).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_csv_is_opened_once_and_its_rows_loaded(bool storeKeepsLocalFiles)
    {
        var key = await PutCsvAsync(Row("bitcoin", "btc", "Bitcoin", "1", "2"), Row("ethereum", "eth", "Ethereum", "3", "4"), Row("tether", "usdt", "Tether", "1", "5"));
        var store = new CountingStore(_store, storeKeepsLocalFiles);
        var warehouse = new RecordingWarehouse(_warehouse);

        var output = await new LoadStep(store, warehouse).RunAsync(Input(key, 3), CancellationToken.None);

        Assert.Equal(3, output.RowsLoaded);
        Assert.Equal(1, store.Opens);
        Assert.Equal([["bitcoin"], ["ethereum"], ["tether"]], await QueryAsync("SELECT id FROM crypto_data ORDER BY id"));
        if (storeKeepsLocalFiles)
        {
            Assert.Equal(_store.PathOf(key), warehouse.LocalPath);
        }
        else
        {
            // The staged copy was the warehouse's input, and it is gone afterwards.
            Assert.NotEqual(_store.PathOf(key), warehouse.LocalPath);
            Assert.False(File.Exists(warehouse.LocalPath));
        }
    }

    private static LoadInput Input(string key, int rows) => new() { CsvKey = key, FetchTime = FetchTime, ExpectedRows = rows };

    /// <summary>A CSV record in schema order with the given leading values and empty (null) metrics.</summary>
    private static string Row(string id, string symbol, string name, string price, string marketCap, string fetchTime = "2026-11-25T12:00:00Z")
    {
        var values = new string[CryptoSchema.Columns.Count];
        values[CryptoSchema.IndexOf("fetch_time")] = fetchTime;
        values[CryptoSchema.IndexOf("vs_currency")] = "usd";
        values[CryptoSchema.IndexOf("id")] = id;
        values[CryptoSchema.IndexOf("symbol")] = symbol;
        values[CryptoSchema.IndexOf("name")] = name.Contains(',', StringComparison.Ordinal) ? $"\"{name}\"" : name;
        values[CryptoSchema.IndexOf("current_price")] = price;
        values[CryptoSchema.IndexOf("market_cap")] = marketCap;
        values[CryptoSchema.IndexOf("last_updated")] = "2024-12-19T10:44:48.123Z";
        return string.Join(',', values.Select(v => v ?? ""));
    }

    private async Task<string> PutCsvAsync(params string[] rows)
    {
        var key = ObjectKeys.Csv(FetchTime, StoredCsv.WriteId);
        var text = CryptoSchema.CsvHeader + "\n" + string.Concat(rows.Select(r => r + "\n"));
        await _store.PutBytesAsync(key, ContentTypes.Csv, Encoding.UTF8.GetBytes(text), CancellationToken.None);
        return key;
    }

    private async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = await DuckDbWarehouse.OpenAsync(_warehouse.DatabasePath, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private sealed class SpyWarehouse : IWarehouse
    {
        public int Calls { get; private set; }

        public string Table => "spy";

        public Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(snapshot.ExpectedRows);
        }
    }

    /// <summary>Counts reads; without local files it stands for S3 (no path to read in place).</summary>
    private sealed class CountingStore(FileSystemObjectStore inner, bool localFiles) : IObjectStore
    {
        public int Opens { get; private set; }

        public string Location => inner.Location;

        public Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) =>
            inner.PutAsync(key, contentType, write, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            // The step's lease is read on release; what is counted is the reads of the data.
            Opens += key.StartsWith("locks/", StringComparison.Ordinal) ? 0 : 1;
            return inner.OpenReadAsync(key, cancellationToken);
        }

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> TryCreateAsync(string key, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            inner.TryCreateAsync(key, contentType, content, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public string? LocalPathOf(string key) => localFiles ? inner.LocalPathOf(key) : null;
    }

    private sealed class RecordingWarehouse(DuckDbWarehouse inner) : IWarehouse
    {
        public string? LocalPath { get; private set; }

        public string Table => inner.Table;

        public bool ReadsLocalFile => inner.ReadsLocalFile;

        public Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken)
        {
            LocalPath = snapshot.LocalPath;
            return inner.LoadSnapshotAsync(snapshot, cancellationToken);
        }
    }
}
