using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;
using DuckDB.NET.Data;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// The history load in COPY mode. The account is played by DuckDB running the very statements the
/// adapter sends (names unqualified; IFF, TO_NUMBER and TO_TIMESTAMP_TZ as macros with Snowflake's
/// meaning for these arguments), with the COPY run by <see cref="SnowflakeCopy"/> over the staged
/// file by Snowflake's rules: a COPY with a column list and a SELECT may fill a column the file
/// lacks with a constant (docs.snowflake.com/en/user-guide/data-load-transform, "Transforming data
/// during a load": column reordering, column omission and casts using a SELECT). The fake SQL API
/// then answers with what that run gave, and also runs the COPY itself.
/// </summary>
public sealed partial class SnowflakeHistoryLoadTests : IAsyncLifetime
{
    private const string BackfillId = "20261207-day365-usd-0123456789abcdef";
    private static readonly DateTimeOffset Day1 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, byte[]> _stage = [];
    private readonly SteppingTimeProvider _time = new(Day1.AddDays(20));
    private readonly HttpClient _http = new();
    private FakeSnowflake _snowflake = null!;
    private DuckDBConnection _account = null!;

    public async Task InitializeAsync()
    {
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time, stage: path => _stage.GetValueOrDefault(path));
        _account = new DuckDBConnection($"Data Source={_dir.Combine("account.duckdb")}");
        await _account.OpenAsync();
        var columns = string.Join(", ", CryptoSchema.Columns.Select(c => $"{c.UpperName} {c.Type switch
        {
            ColumnType.Timestamp => "TIMESTAMPTZ",
            ColumnType.Number => "DOUBLE",
            ColumnType.WholeNumber => "DECIMAL(38,0)",
            _ => "VARCHAR",
        }}"));
        await ExecuteAsync("SET TimeZone = 'UTC'");
        await ExecuteAsync($"CREATE TABLE CRYPTO_DATA ({columns}, BACKFILL_ID VARCHAR)");
        await ExecuteAsync("CREATE MACRO IFF(c, a, b) AS CASE WHEN c THEN a ELSE b END");
        await ExecuteAsync("CREATE MACRO TO_NUMBER(x) AS CAST(x AS DECIMAL(38,0))");
        await ExecuteAsync("CREATE MACRO TO_TIMESTAMP_TZ(x, f) AS CAST(x AS TIMESTAMPTZ)");
    }

    public async Task DisposeAsync()
    {
        await _account.DisposeAsync();
        await _snowflake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private SnowflakeWarehouse Warehouse() => new(_http, TestKeys.Options(_snowflake.BaseAddress, 1), _time);

    [Fact]
    public async Task A_history_load_copies_the_csvs_rows_marked_with_the_backfill_id()
    {
        var history = StageHistory(days: 3, "bitcoin", "ethereum");

        var loaded = await LoadHistoryAsync(history);

        Assert.Equal(6, loaded);
        Assert.Empty(_snowflake.Problems);
        Assert.Equal(6, Assert.Single(_snowflake.Copied).Count);
        Assert.Equal([(Day1, 2L), (Day1.AddDays(1), 2L), (Day1.AddDays(2), 2L)], await BucketsAsync(BackfillId));
        Assert.Equal(0, await CountAsync("BACKFILL_ID IS NULL OR BACKFILL_ID <> '" + BackfillId + "'"));
    }

    [Fact]
    public async Task A_rerun_adds_no_row()
    {
        var history = StageHistory(days: 3, "bitcoin", "ethereum");
        await LoadHistoryAsync(history);

        var loaded = await LoadHistoryAsync(history);

        Assert.Equal(6, loaded);
        Assert.Equal(6, await CountAsync("TRUE"));
        Assert.Equal(6, await CountAsync($"BACKFILL_ID = '{BackfillId}'"));
    }

    [Fact]
    public async Task A_newer_backfill_takes_its_buckets_whole()
    {
        await LoadHistoryAsync(StageHistory(days: 3, "bitcoin", "ethereum"));
        const string Newer = "20261208-day365-usd-fedcba9876543210";

        var loaded = await LoadHistoryAsync(StageBackfill(Newer, days: 2, "bitcoin"));

        Assert.Equal(2, loaded);
        Assert.Equal([(Day1, 1L), (Day1.AddDays(1), 1L)], await BucketsAsync(Newer));
        Assert.Equal([(Day1.AddDays(2), 2L)], await BucketsAsync(BackfillId));
    }

    [Fact]
    public async Task A_snapshot_after_the_backfill_drops_its_days_backfilled_rows_and_a_rerun_skips_that_day()
    {
        await LoadHistoryAsync(StageHistory(days: 3, "bitcoin", "ethereum"));
        var snapshotTime = Day1.AddDays(1).AddHours(12);

        await LoadSnapshotAsync(snapshotTime, "bitcoin");

        Assert.Equal([(Day1, 2L), (Day1.AddDays(2), 2L)], await BucketsAsync(BackfillId));
        Assert.Equal(1, await CountAsync("BACKFILL_ID IS NULL"));

        // The day the snapshot covers stays the snapshot's: 4 of the CSV's 6 rows are kept.
        var loaded = await LoadHistoryAsync(StageHistory(days: 3, "bitcoin", "ethereum"));

        Assert.Equal(4, loaded);
        Assert.Equal([(Day1, 2L), (Day1.AddDays(2), 2L)], await BucketsAsync(BackfillId));
        Assert.Equal(1, await CountAsync("BACKFILL_ID IS NULL"));
    }

    [Fact]
    public async Task The_count_guard_rolls_back_a_load_whose_copy_is_not_the_csvs_rows()
    {
        var staged = StageHistory(days: 3, "bitcoin", "ethereum");
        var history = staged with { ExpectedRows = 7 };
        var statements = SnowflakeSql.HistoryLoadStatements(TestKeys.Options(_snowflake.BaseAddress, 1), history);

        var refused = await Assert.ThrowsAsync<DuckDBException>(() => RunOnAccountAsync(statements));
        _snowflake.FailStatement(SnowflakeSql.HistoryGuardStatementIndex + 1, refused.Message);
        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadHistoryAsync(history, CancellationToken.None));

        Assert.Contains("CryptoEtl row count mismatch: 6 rows of backfill " + BackfillId + " after COPY, expected 7", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorNames.RowCountMismatch, ex.ErrorName);
        Assert.Contains(history.CsvKey, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("TRUE"));
    }

    [Fact]
    public async Task Pipe_mode_refuses_a_history_load_by_name()
    {
        var pipe = new SnowpipeWarehouse(_http, TestKeys.Options(_snowflake.BaseAddress, 1), new CryptoEtl.FileSystem.FileSystemObjectStore(_dir.Combine("objects")), _time);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => pipe.LoadHistoryAsync(StageHistory(days: 1, "bitcoin"), CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("pipe mode does not load backfills", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_snowflake.Requests);
    }

    // PATTERN matches the whole path as a regular expression (docs.snowflake.com/en/sql-reference/sql/copy-into-table, "PATTERN").
    [Fact]
    public void The_pipes_pattern_takes_snapshot_csvs_and_never_a_backfills()
    {
        var whole = new Regex($"^(?:{SnowpipeSql.Pattern})$");
        var snapshot = ObjectKeys.Csv(Day1, StoredCsv.WriteId);
        var history = BackfillKeys.Csv(BackfillId, StoredCsv.WriteId);

        Assert.Matches(whole, snapshot);
        Assert.Matches(whole, snapshot[ObjectKeys.ProcessedPrefix.Length..]);
        Assert.DoesNotMatch(whole, history);
        Assert.DoesNotMatch(whole, history[ObjectKeys.ProcessedPrefix.Length..]);
        Assert.Contains($"PATTERN = '{SnowpipeSql.Pattern}'", SnowflakeScripts.Read("09_snowpipe.sql"), StringComparison.Ordinal);
    }

    private HistoryCsv StageHistory(int days, params string[] coins) => StageBackfill(BackfillId, days, coins);

    private HistoryCsv StageBackfill(string backfillId, int days, params string[] coins)
    {
        var csv = new StringBuilder(CryptoSchema.CsvHeader).Append('\n');
        foreach (var day in Enumerable.Range(0, days))
        {
            foreach (var coin in coins)
            {
                csv.Append(Row(Day1.AddDays(day), coin, 100 + day)).Append('\n');
            }
        }

        var key = BackfillKeys.Csv(backfillId, StoredCsv.WriteId);
        _stage[key[ObjectKeys.ProcessedPrefix.Length..]] = Encoding.UTF8.GetBytes(csv.ToString());
        return new HistoryCsv(key, backfillId, days * coins.Length);
    }

    private static string Row(DateTimeOffset fetchTime, string coin, double price)
    {
        var fields = new string[CryptoSchema.Columns.Count];
        fields[CryptoSchema.IndexOf("fetch_time")] = ObjectKeys.Iso(fetchTime);
        fields[CryptoSchema.IndexOf("vs_currency")] = "usd";
        fields[CryptoSchema.IndexOf("id")] = coin;
        fields[CryptoSchema.IndexOf("current_price")] = price.ToString(CultureInfo.InvariantCulture);
        return string.Join(',', fields);
    }

    private async Task<int> LoadHistoryAsync(HistoryCsv history)
    {
        var statements = SnowflakeSql.HistoryLoadStatements(TestKeys.Options(_snowflake.BaseAddress, 1), history);
        var (copied, updated) = await RunOnAccountAsync(statements);
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone(statements.Count));
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.Handles[SnowflakeSql.HistoryCopyStatementIndex]}", Responses.CopyResult(copied, 0, copied));
        var mark = Responses.Handles[SnowflakeSql.HistoryMarkStatementIndex];
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{mark}", Responses.UpdateResult(mark, updated));

        var loaded = await Warehouse().LoadHistoryAsync(history, CancellationToken.None);

        Assert.Contains(_snowflake.Requests, r => r.Body.Contains(System.Text.Json.JsonSerializer.Serialize(string.Join(";\n", statements)), StringComparison.Ordinal));
        return loaded;
    }

    private async Task LoadSnapshotAsync(DateTimeOffset fetchTime, string coin)
    {
        var key = ObjectKeys.Csv(fetchTime, StoredCsv.WriteId);
        _stage[key[ObjectKeys.ProcessedPrefix.Length..]] = Encoding.UTF8.GetBytes($"{CryptoSchema.CsvHeader}\n{Row(fetchTime, coin, 1)}\n");
        await RunOnAccountAsync(SnowflakeSql.LoadStatements(TestKeys.Options(_snowflake.BaseAddress, 1), new SnapshotCsv(key, fetchTime, 1)));
    }

    /// <summary>The statements on DuckDB in one transaction; COPY's rows and the last UPDATE's count.</summary>
    private async Task<(long Copied, long Updated)> RunOnAccountAsync(IReadOnlyList<string> statements)
    {
        long copied = 0, updated = 0;
        await ExecuteAsync("BEGIN TRANSACTION");
        try
        {
            foreach (var statement in statements.Select(s => s.Replace("CRYPTO_ETL_DB.PUBLIC.", "", StringComparison.Ordinal)))
            {
                if (statement.StartsWith("ALTER SESSION", StringComparison.Ordinal) || statement is "BEGIN TRANSACTION" or "COMMIT")
                {
                    continue;
                }

                if (CopyInto().Match(statement) is { Success: true } copy)
                {
                    var path = copy.Groups["path"].Value;
                    var rows = SnowflakeCopy.Evaluate(statement, _stage[path], FakeSnowflake.FileFormat.Value, path);
                    copied = await InsertAsync(copy.Groups["columns"].Value, rows);
                    continue;
                }

                var changed = await ExecuteAsync(statement);
                if (statement.StartsWith("UPDATE", StringComparison.Ordinal))
                {
                    updated = changed;
                }
            }

            await ExecuteAsync("COMMIT");
            return (copied, updated);
        }
        catch
        {
            await ExecuteAsync("ROLLBACK");
            throw;
        }
    }

    private async Task<long> InsertAsync(string columns, IReadOnlyList<object?[]> rows)
    {
        foreach (var row in rows)
        {
            await using var insert = _account.CreateCommand();
            insert.CommandText = $"INSERT INTO CRYPTO_DATA ({columns}) VALUES ({string.Join(", ", row.Select((_, i) => $"${i + 1}"))})";
            foreach (var value in row)
            {
                insert.Parameters.Add(new DuckDBParameter(value is DateTimeOffset instant ? instant.UtcDateTime : value ?? DBNull.Value));
            }

            await insert.ExecuteNonQueryAsync();
        }

        return rows.Count;
    }

    private async Task<int> ExecuteAsync(string sql)
    {
        await using var command = _account.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string where)
    {
        await using var command = _account.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM CRYPTO_DATA WHERE {where}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Each fetch time of a backfill's rows and how many rows it has, in time order.</summary>
    private async Task<List<(DateTimeOffset, long)>> BucketsAsync(string backfillId)
    {
        await using var command = _account.CreateCommand();
        command.CommandText = $"SELECT epoch_us(FETCH_TIME), COUNT(*) FROM CRYPTO_DATA WHERE BACKFILL_ID = '{backfillId}' GROUP BY 1 ORDER BY 1";
        await using var reader = await command.ExecuteReaderAsync();
        var buckets = new List<(DateTimeOffset, long)>();
        while (await reader.ReadAsync())
        {
            buckets.Add((DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(0) * 10), reader.GetInt64(1)));
        }

        return buckets;
    }

    [GeneratedRegex(@"^COPY INTO \S+ \((?<columns>[^)]*)\) FROM \(SELECT .* FROM @\S+?/(?<path>[^)\s]+)\)", RegexOptions.Singleline)]
    private static partial Regex CopyInto();
}
