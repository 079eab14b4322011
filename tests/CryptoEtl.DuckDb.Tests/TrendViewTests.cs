using System.Globalization;
using CryptoEtl.Testing;
using DuckDB.NET.Data;

namespace CryptoEtl.DuckDb.Tests;

/// <summary>
/// The trend views (src/CryptoEtl.DuckDb/TrendViews.cs) over nine days of 15-minute snapshots with
/// a 2-hour and a 30-hour gap, jittered fetch times, a coin that appears on day 3, one that
/// disappears on day 7 and one missing from every sixth snapshot. Every expected value is computed
/// here from the stored rows, not by SQL: a change is against the coin's newest row within the
/// window's tolerance before its horizon.
/// </summary>
public sealed class TrendViewTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private const int Steps = 864; // 9 days of 15 minutes
    private readonly TempDirectory _dir = new();
    private readonly List<HistoryRow> _rows = [];
    private DuckDBConnection _connection = null!;

    /// <summary>
    /// The change horizons and how far before each the reference may lie, as infra/snowflake/08_trends.sql
    /// documents them (its header: within 15 min for 1h, 1 hour for 24h and 7d).
    /// </summary>
    private static readonly ChangeWindow[] Windows =
    [
        new("1h", TimeSpan.FromHours(1), TimeSpan.FromMinutes(15)),
        new("24h", TimeSpan.FromHours(24), TimeSpan.FromHours(1)),
        new("7d", TimeSpan.FromDays(7), TimeSpan.FromHours(1)),
    ];

    private sealed record ChangeWindow(string Label, TimeSpan Horizon, TimeSpan Tolerance);

    private sealed record HistoryRow(DateTimeOffset FetchTime, string Id, double Price, double MarketCap, long Rank, double Dominance, double? GlobalDominance, double CoinGecko24h);

    public async Task InitializeAsync()
    {
        _connection = await DuckDbWarehouse.OpenAsync(_dir.Combine("warehouse.duckdb"), CancellationToken.None);
        for (var i = 0; i < Steps; i++)
        {
            if (i is >= 40 and < 48 or >= 300 and < 420)
            {
                continue; // gaps: 2 h on day 1, 30 h on days 4-5
            }

            var time = T0.AddMinutes(15 * i).AddSeconds(Jitter(i));
            var coins = new List<(string Id, double Price, double Supply, long Rank)>
            {
                ("bitcoin", 90000 + (i * 37 % 1000), 19_800_000, 1),
                ("ethereum", 3000 + (i * 13 % 200) + 0.25, 120_000_000, 2),
            };
            if (i >= 200)
            {
                coins.Add(("latecoin", 1 + (i % 17 / 10.0), 1_000_000_000, 3 + (i / 50 % 2)));
            }

            if (i < 600)
            {
                coins.Add(("gonecoin", 5 + (i % 23 / 7.0), 100_000_000, 4 - (i / 50 % 2)));
            }

            if (i % 6 != 4)
            {
                // Out of the top N every sixth snapshot: one that is a horizon (60 min, 24 h and
                // 7 d are whole multiples of six steps) before a snapshot of it, so its reference
                // there is an older snapshot within the tolerance, not the newest candidate.
                coins.Add(("flickercoin", 2 + (i % 19 / 9.0), 500_000_000, 5 + (i / 40 % 2)));
            }

            var total = coins.Sum(c => c.Price * c.Supply);
            foreach (var (id, price, supply, rank) in coins)
            {
                var cap = price * supply;
                double? global = i % 10 == 0 ? null : cap / (total * 1.25) * 100;
                _rows.Add(new HistoryRow(time, id, price, cap, rank, cap / total * 100, global, (i % 9) - 4.5));
            }
        }

        // Appended to a staging table, then inserted: one statement instead of 3,000.
        await DuckDbQuery.RunAsync(_connection, "CREATE TEMP TABLE history (fetch_time TIMESTAMPTZ, id VARCHAR, price DOUBLE, cap DOUBLE, rank BIGINT, dominance DOUBLE, global_dominance DOUBLE, cg DOUBLE)", CancellationToken.None);
        using (var appender = _connection.CreateAppender("history"))
        {
            foreach (var row in _rows)
            {
                appender.CreateRow()
                    .AppendValue(row.FetchTime.UtcDateTime).AppendValue(row.Id).AppendValue(row.Price).AppendValue(row.MarketCap)
                    .AppendValue(row.Rank).AppendValue(row.Dominance).AppendValue(row.GlobalDominance).AppendValue(row.CoinGecko24h)
                    .EndRow();
            }
        }

        await DuckDbQuery.RunAsync(
            _connection,
            """
            INSERT INTO crypto_data (fetch_time, vs_currency, id, symbol, name, current_price, market_cap, market_cap_rank,
                price_change_percentage_24h, dominance_percentage, global_dominance_percentage)
            SELECT fetch_time, 'usd', id, left(id, 3), upper(id), price, cap, rank, cg, dominance, global_dominance FROM history
            """,
            CancellationToken.None);
        foreach (var statement in DuckDbSchema.IndexSnapshots("true"))
        {
            await DuckDbQuery.RunAsync(_connection, statement, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>
    /// Odd snapshots are a few seconds off the 15-minute grid, as real runs are; even ones sit on
    /// it, so an even snapshot's 1 h and 24 h horizons fall exactly on an earlier snapshot ("at").
    /// </summary>
    private static int Jitter(int i) => i % 2 == 0 ? 0 : i * 7 % 11;

    /// <summary>
    /// The coin's reference for a change over <paramref name="window"/>: its newest row at or before
    /// fetch_time minus the horizon and no more than the window's tolerance before it; null when none.
    /// </summary>
    private HistoryRow? Reference(HistoryRow now, ChangeWindow window) =>
        _rows.Where(r => r.Id == now.Id && r.FetchTime <= now.FetchTime - window.Horizon && r.FetchTime >= now.FetchTime - window.Horizon - window.Tolerance)
            .MaxBy(r => r.FetchTime);

    private static ChangeWindow Window(string label) => Windows.Single(w => w.Label == label);

    private static double? Change(HistoryRow now, HistoryRow? then) =>
        then is null ? null : 100 * (now.Price - then.Price) / then.Price;

    [Fact]
    public async Task Coin_history_has_one_row_per_coin_and_snapshot_with_its_figures()
    {
        var rows = await QueryAsync("SELECT fetch_time, id, current_price, market_cap, market_cap_rank, dominance_percentage, global_dominance_percentage, coingecko_price_change_percentage_24h FROM v_coin_history ORDER BY fetch_time, id");

        var expected = _rows.OrderBy(r => r.FetchTime).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => new object?[] { r.FetchTime, r.Id, r.Price, r.MarketCap, r.Rank, r.Dominance, r.GlobalDominance, r.CoinGecko24h })
            .ToList();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], rows[i]);
        }
    }

    [Fact]
    public async Task Changes_compare_with_the_nearest_snapshot_at_or_before_each_horizon()
    {
        var rows = await QueryAsync("""
            SELECT fetch_time, id,
                reference_time_1h, price_change_percentage_1h, rank_change_1h,
                reference_time_24h, price_change_percentage_24h, rank_change_24h, coingecko_price_change_percentage_24h,
                reference_time_7d, price_change_percentage_7d, rank_change_7d
            FROM v_coin_changes ORDER BY fetch_time, id
            """);

        var expected = _rows.OrderBy(r => r.FetchTime).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, rows.Count);
        var nulls = new Dictionary<string, int> { ["1h"] = 0, ["24h"] = 0, ["7d"] = 0 };
        for (var i = 0; i < expected.Count; i++)
        {
            var now = expected[i];
            var row = rows[i];
            Assert.Equal(now.FetchTime, row[0]);
            Assert.Equal(now.Id, row[1]);
            foreach (var (label, column) in new[] { ("1h", 2), ("24h", 5), ("7d", 9) })
            {
                var then = Reference(now, Window(label));
                nulls[label] += then is null ? 1 : 0;
                Assert.Equal(then?.FetchTime, row[column]);
                AssertClose(Change(now, then), row[column + 1]);
                Assert.Equal(then is null ? null : then.Rank - now.Rank, row[column + 2]);
            }

            Assert.Equal(now.CoinGecko24h, row[8]);
        }

        // The history exercises both outcomes for every horizon, and for each a reference older
        // than the newest snapshot within the window (the coin was missing from that one).
        Assert.All(nulls.Values, count => Assert.InRange(count, 1, expected.Count - 1));
        var snapshotTimes = _rows.Select(r => r.FetchTime).Distinct().ToList();
        Assert.All(Windows, window => Assert.Contains(expected, now =>
            Reference(now, window) is { } then && snapshotTimes.Any(t => t > then.FetchTime && t <= now.FetchTime - window.Horizon)));
    }

    [Fact]
    public async Task A_gap_longer_than_the_tolerance_leaves_the_change_null_not_stale()
    {
        // 110 h (i = 440) minus 24 h is inside the 30-hour gap (75 h to 105 h): the last snapshot
        // before the gap (i = 299, 74 h 45 min) is 35 h old, far beyond the 1 h tolerance.
        var at = T0.AddMinutes(15 * 440);
        var rows = await QueryAsync($"SELECT reference_time_24h, price_change_percentage_24h, rank_change_24h FROM v_coin_changes WHERE id = 'bitcoin' AND fetch_time = TIMESTAMPTZ '{at:O}'");

        Assert.Equal([null, null, null], Assert.Single(rows));
    }

    [Fact]
    public async Task A_reference_within_the_tolerance_counts_at_its_edge()
    {
        // i = 424 (106 h) minus 24 h is 82 h, inside the gap; the first snapshot after the gap is
        // i = 420 (105 h), later than 82 h, so none lies in [81 h, 82 h]: null. i = 516 (129 h) minus
        // 24 h = 105 h is the first snapshot after the gap, exactly on the horizon ("at" counts).
        var rows = await QueryAsync($"""
            SELECT fetch_time, reference_time_24h FROM v_coin_changes
            WHERE id = 'bitcoin' AND fetch_time IN (TIMESTAMPTZ '{T0.AddMinutes(15 * 424):O}', TIMESTAMPTZ '{T0.AddMinutes(15 * 516):O}')
            ORDER BY fetch_time
            """);

        Assert.Equal([[T0.AddMinutes(15 * 424), null], [T0.AddMinutes(15 * 516), T0.AddMinutes(15 * 420)]], rows.Select(r => r.ToArray()).ToArray());
    }

    [Fact]
    public async Task Movers_rank_the_newest_snapshot_by_the_size_of_its_move_per_window()
    {
        var rows = await QueryAsync("SELECT change_window, mover_rank, id, reference_time, price_change_percentage, coingecko_price_change_percentage_24h, rank_change FROM v_movers ORDER BY change_window, mover_rank");

        var latestTime = _rows.Max(r => r.FetchTime);
        var latest = _rows.Where(r => r.FetchTime == latestTime).ToList();
        var expected = new List<object?[]>();
        foreach (var label in new[] { "1h", "24h", "7d" })
        {
            var moves = latest
                .Select(now => (Now: now, Then: Reference(now, Window(label))))
                .Where(m => m.Then is not null)
                .Select(m => (m.Now, m.Then, Change: Change(m.Now, m.Then)!.Value))
                .OrderByDescending(m => Math.Abs(m.Change)).ThenBy(m => m.Now.Id, StringComparer.Ordinal)
                .ToList();
            expected.AddRange(moves.Select((m, i) => new object?[] { label, (long)i + 1, m.Now.Id, m.Then!.FetchTime, m.Change, m.Now.CoinGecko24h, m.Then.Rank - m.Now.Rank }));
        }

        // gonecoin is gone from the newest snapshot; latecoin is younger than 7 days.
        Assert.DoesNotContain(rows, r => (string)r[2]! == "gonecoin");
        Assert.DoesNotContain(rows, r => (string)r[0]! == "7d" && (string)r[2]! == "latecoin");
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i][..4], rows[i][..4]);
            AssertClose((double?)expected[i][4], rows[i][4]);
            Assert.Equal(expected[i][5..], rows[i][5..]);
        }
    }

    [Fact]
    public async Task Every_connection_works_in_utc_and_the_views_agree_in_another_time_zone()
    {
        Assert.Equal("UTC", Assert.Single(await QueryAsync("SELECT current_setting('TimeZone')"))[0]);
        const string changes = "SELECT * FROM v_coin_changes ORDER BY fetch_time, id";
        const string movers = "SELECT * FROM v_movers ORDER BY change_window, mover_rank";
        var utcChanges = await QueryAsync(changes);
        var utcMovers = await QueryAsync(movers);

        await QueryAsync("SET TimeZone = 'America/New_York'");
        try
        {
            // The history spans New York's end of DST (2026-11-01 06:00 UTC): there, 7 calendar days
            // before 2026-11-08 03:00 UTC are 169 hours, so a view counting in days would differ.
            var origin = T0.AddDays(7).AddHours(3);
            var calendar = Assert.Single(await QueryAsync($"SELECT TIMESTAMPTZ '{origin:O}' - INTERVAL '7 days'"))[0];
            Assert.Equal(origin.AddHours(-169), calendar);

            Assert.Equal(utcChanges, await QueryAsync(changes));
            Assert.Equal(utcMovers, await QueryAsync(movers));
        }
        finally
        {
            await QueryAsync("SET TimeZone = 'UTC'");
        }
    }

    [Fact]
    public async Task Market_trend_sums_market_cap_and_carries_btc_and_eth_dominance_per_snapshot()
    {
        var rows = await QueryAsync("SELECT fetch_time, coins, total_market_cap, btc_dominance_percentage, eth_dominance_percentage, btc_snapshot_dominance_percentage, eth_snapshot_dominance_percentage FROM v_market_trend ORDER BY fetch_time");

        var snapshots = _rows.GroupBy(r => r.FetchTime).OrderBy(g => g.Key).ToList();
        Assert.Equal(snapshots.Count, rows.Count);
        for (var i = 0; i < snapshots.Count; i++)
        {
            var coins = snapshots[i].ToDictionary(r => r.Id);
            Assert.Equal(snapshots[i].Key, rows[i][0]);
            Assert.Equal((long)coins.Count, rows[i][1]);
            AssertClose(coins.Values.Sum(c => c.MarketCap), rows[i][2]);
            Assert.Equal(coins["bitcoin"].GlobalDominance, rows[i][3]);
            Assert.Equal(coins["ethereum"].GlobalDominance, rows[i][4]);
            Assert.Equal(coins["bitcoin"].Dominance, rows[i][5]);
            Assert.Equal(coins["ethereum"].Dominance, rows[i][6]);
        }
    }

    private static void AssertClose(double? expected, object? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        var value = Assert.IsType<double>(actual);
        Assert.True(Math.Abs(value - expected.Value) <= 1e-9 * Math.Max(1, Math.Abs(expected.Value)), string.Create(CultureInfo.InvariantCulture, $"expected {expected:R}, got {value:R}"));
    }

    /// <summary>Rows with timestamps as UTC DateTimeOffset and whole numbers as long.</summary>
    private async Task<List<object?[]>> QueryAsync(string sql)
    {
        var result = await DuckDbQuery.RunAsync(_connection, sql, CancellationToken.None);
        return [.. result.Rows.Select(row => row.Select(value => value switch
        {
            DateTime d => (object?)new DateTimeOffset(DateTime.SpecifyKind(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d, DateTimeKind.Utc)),
            DateTimeOffset o => o.ToUniversalTime(),
            int n => (long)n,
            _ => value,
        }).ToArray())];
    }
}
