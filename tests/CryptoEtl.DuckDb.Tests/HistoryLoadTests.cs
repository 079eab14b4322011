using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Testing;

namespace CryptoEtl.DuckDb.Tests;

/// <summary>
/// A backfill's history CSV into DuckDB (DuckDbWarehouse.LoadHistoryAsync): a re-run replaces its
/// rows with the same rows, a newer backfill takes the buckets it covers over whole, and a bucket a
/// snapshot covers stays the snapshot's.
/// </summary>
public sealed class HistoryLoadTests : IDisposable
{
    private const string First = "20261207-day365-usd-00000000000000a1";
    private const string Second = "20261208-day365-usd-00000000000000b2";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_rerun_adds_no_row_and_a_newer_backfill_takes_its_buckets_over_whole()
    {
        var warehouse = new DuckDbWarehouse(_dir.Combine("warehouse.duckdb"));
        var first = Csv("first.csv", ("2026-12-05", "bitcoin", 90000), ("2026-12-05", "ethereum", 3000), ("2026-12-06", "bitcoin", 91000), ("2026-12-06", "ethereum", 3100));
        var second = Csv("second.csv", ("2026-12-06", "bitcoin", 91500), ("2026-12-07", "bitcoin", 92000));

        var loaded = await warehouse.LoadHistoryAsync(new HistoryCsv(Key(First), First, 4, first), default);
        var again = await warehouse.LoadHistoryAsync(new HistoryCsv(Key(First), First, 4, first), default);
        var rowsAfterTwo = await ScalarAsync("SELECT count(*) FROM crypto_data");
        await warehouse.LoadHistoryAsync(new HistoryCsv(Key(Second), Second, 2, second), default);

        Assert.Equal((4, 4, 4L), (loaded, again, rowsAfterTwo));
        // 6 Dec is the second backfill's now, whole: its ethereum row is gone with the first's bitcoin row.
        Assert.Equal(
            "2026-12-05 bitcoin first, 2026-12-05 ethereum first, 2026-12-06 bitcoin second, 2026-12-07 bitcoin second",
            await ScalarAsync($"""
                SELECT string_agg(strftime(fetch_time, '%Y-%m-%d') || ' ' || id || ' ' || CASE backfill_id WHEN '{First}' THEN 'first' ELSE 'second' END, ', ' ORDER BY fetch_time, id)
                FROM crypto_data
                """));
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM v_market_timeseries WHERE backfill_id IS NOT NULL"));
    }

    [Fact]
    public async Task A_day_a_snapshot_covers_stays_the_snapshots_and_a_snapshot_takes_a_backfilled_day_over()
    {
        var warehouse = new DuckDbWarehouse(_dir.Combine("warehouse.duckdb"));
        var snapshotTime = new DateTimeOffset(2026, 12, 6, 14, 30, 0, TimeSpan.Zero);
        await LoadSnapshotAsync(warehouse, snapshotTime);
        var history = Csv("history.csv", ("2026-12-05", "bitcoin", 90000), ("2026-12-06", "bitcoin", 91000), ("2026-12-07", "bitcoin", 92000));

        var loaded = await warehouse.LoadHistoryAsync(new HistoryCsv(Key(First), First, 3, history), default);
        await LoadSnapshotAsync(warehouse, snapshotTime.AddDays(1));

        // 6 Dec had a snapshot: skipped; 7 Dec is taken over by the later snapshot.
        Assert.Equal(2, loaded);
        Assert.Equal("2026-12-05", await ScalarAsync("SELECT string_agg(strftime(fetch_time, '%Y-%m-%d'), ',') FROM crypto_data WHERE backfill_id IS NOT NULL"));
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM v_market_timeseries"));
    }

    private static string Key(string backfillId) => BackfillKeys.Csv(backfillId, ObjectKeys.NewWriteId());

    private async Task LoadSnapshotAsync(DuckDbWarehouse warehouse, DateTimeOffset fetchTime)
    {
        var fields = new string[CryptoSchema.Columns.Count];
        Array.Fill(fields, "");
        fields[0] = ObjectKeys.Iso(fetchTime);
        fields[1] = "usd";
        fields[2] = "bitcoin";
        fields[CryptoSchema.IndexOf("current_price")] = "95000";
        var path = _dir.Combine($"snapshot-{fetchTime:HHmmss}-{fetchTime:dd}.csv");
        await File.WriteAllTextAsync(path, CryptoSchema.CsvHeader + "\n" + string.Join(',', fields) + "\n");
        await warehouse.LoadSnapshotAsync(new SnapshotCsv(ObjectKeys.Csv(fetchTime, ObjectKeys.NewWriteId()), fetchTime, 1, path), default);
    }

    private string Csv(string name, params (string Day, string Id, double Price)[] rows)
    {
        var lines = new List<string> { CryptoSchema.CsvHeader };
        foreach (var (day, id, price) in rows)
        {
            var fields = new string[CryptoSchema.Columns.Count];
            Array.Fill(fields, "");
            fields[0] = $"{day}T00:00:00Z";
            fields[1] = "usd";
            fields[2] = id;
            fields[CryptoSchema.IndexOf("current_price")] = price.ToString(System.Globalization.CultureInfo.InvariantCulture);
            lines.Add(string.Join(',', fields));
        }

        var path = _dir.Combine(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private async Task<object?> ScalarAsync(string sql) =>
        (await DuckDbQuery.RunAsync(_dir.Combine("warehouse.duckdb"), sql, default)).Rows.Single()[0];
}
