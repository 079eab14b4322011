using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

public sealed class SnowflakeWarehouseTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string CsvKey = ObjectKeys.Csv(FetchTime, StoredCsv.WriteId);
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly SteppingTimeProvider _time = new(FetchTime.AddMinutes(3));
    private readonly HttpClient _http = new();
    private FakeSnowflake _snowflake = null!;

    public async Task InitializeAsync() =>
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time);

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _http.Dispose();
    }

    private SnowflakeWarehouse Warehouse(int maxAttempts = 3) => new(_http, TestKeys.Options(_snowflake.BaseAddress, maxAttempts), _time);

    private static SnapshotCsv Snapshot(int rows = 250) => new(CsvKey, FetchTime, rows);

    // The load's submits; the SHOW PIPES before each load is the fake's own (FakeSnowflake.Pipes).
    private IReadOnlyList<RecordedRequest> Posts => [.. _snowflake.Requests.Where(r => r.Method == "POST" && !FakeSnowflake.IsShowPipes(r))];

    // Body and MULTI_STATEMENT_COUNT: docs.snowflake.com/en/developer-guide/sql-api/submitting-requests
    // and .../sql-api/submitting-multiple-statements; TIMEZONE is a session parameter the body's "parameters" takes (.../sql-api/reference).
    [Fact]
    public async Task Load_sends_one_transaction_and_returns_the_copied_rows()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(250, 0, 250));

        var loaded = await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        Assert.Empty(_snowflake.Problems);
        var post = Assert.Single(Posts);
        Assert.Equal("CryptoEtl/1.0", post.Headers["User-Agent"]);
        using var body = JsonDocument.Parse(post.Body);
        var root = body.RootElement;
        Assert.Equal("CRYPTO_ETL_DB", root.GetProperty("database").GetString());
        Assert.Equal("PUBLIC", root.GetProperty("schema").GetString());
        Assert.Equal("CRYPTO_ETL_WH", root.GetProperty("warehouse").GetString());
        Assert.Equal("CRYPTO_ETL_LOADER", root.GetProperty("role").GetString());
        Assert.Equal(600, root.GetProperty("timeout").GetInt32());
        Assert.Equal("7", root.GetProperty("parameters").GetProperty("MULTI_STATEMENT_COUNT").GetString());
        Assert.Equal("UTC", root.GetProperty("parameters").GetProperty("TIMEZONE").GetString());
        var columns = string.Join(", ", CryptoSchema.Columns.Select(c => c.UpperName));
        // Every timestamp has an explicit format; the fetch time's ("...:00Z") differs from CoinGecko's ("...:11.849Z").
        const string FetchTime = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
        const string CoinGecko = "'YYYY-MM-DD\"T\"HH24:MI:SS.FF3\"Z\"'";
        var select = string.Join(", ", Enumerable.Range(1, CryptoSchema.Columns.Count).Select(i => i switch
        {
            1 => $"TO_TIMESTAMP_TZ($1, {FetchTime})",
            22 or 25 or 29 => $"TO_TIMESTAMP_TZ(${i}, {CoinGecko})",
            _ => $"${i}",
        }));
        Assert.Equal(
            "ALTER SESSION SET TRANSACTION_ABORT_ON_ERROR = TRUE;\n"
            + "BEGIN TRANSACTION;\n"
            + $"DELETE FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA WHERE FETCH_TIME = TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', {FetchTime});\n"
            + $"COPY INTO CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA ({columns}) FROM (SELECT {select} FROM @CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z_{StoredCsv.WriteId}.csv) "
            + "FILE_FORMAT = (FORMAT_NAME = CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT) ON_ERROR = ABORT_STATEMENT FORCE = TRUE;\n"
            + "SELECT TO_NUMBER(IFF(COUNT(*) = 250, '0', 'CryptoEtl row count mismatch: ' || COUNT(*) || ' rows for fetch_time 2026-11-25T12:00:00Z after COPY, expected 250')) AS ROW_COUNT_CHECK "
            + $"FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA WHERE FETCH_TIME = TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', {FetchTime});\n"
            + "DELETE FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA WHERE BACKFILL_ID IS NOT NULL "
            + $"AND ((BACKFILL_ID LIKE '%-day%' AND FETCH_TIME = DATE_TRUNC('DAY', TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', {FetchTime}))) "
            + $"OR (BACKFILL_ID LIKE '%-hour%' AND FETCH_TIME = DATE_TRUNC('HOUR', TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', {FetchTime})))) "
            + $"AND VS_CURRENCY IN (SELECT VS_CURRENCY FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA WHERE FETCH_TIME = TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', {FetchTime}) AND BACKFILL_ID IS NULL);\n"
            + "COMMIT",
            root.GetProperty("statement").GetString());
        Assert.False(root.TryGetProperty("bindings", out _));
        Assert.Matches("^/api/v2/statements\\?requestId=[0-9a-f-]{36}$", post.PathAndQuery);
    }

    /// <summary>
    /// Bulk loading or Snowpipe, not both on one table (Snowflake's Snowpipe introduction advises
    /// against loading the same files both ways): with the pipe of 09_snowpipe.sql feeding the table,
    /// a COPY-mode load stops before it touches the table, naming the pipe and pipe mode.
    /// </summary>
    [Fact]
    public async Task Copy_mode_refuses_a_table_that_a_pipe_feeds()
    {
        _snowflake.Pipes.Add(("CRYPTO_PROCESSED_PIPE",
            SnowpipeSql.Copy("CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA", "CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE", "CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT")));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("pipe CRYPTO_PROCESSED_PIPE loads CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA already", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CRYPTOETL_LOAD_MODE=pipe", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Posts);
        Assert.Empty(_snowflake.Problems);
    }

    [Fact]
    public async Task A_pipe_into_another_table_does_not_stop_a_copy()
    {
        _snowflake.Pipes.Add(("OTHER_PIPE", "COPY INTO CRYPTO_ETL_DB.PUBLIC.OTHER_TABLE FROM @CRYPTO_ETL_DB.PUBLIC.OTHER_STAGE"));
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(250, 0, 250));

        Assert.Equal(250, await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));
        Assert.Single(Posts);
    }

    // 202 = still running, polled on GET /api/v2/statements/{handle}: docs.snowflake.com/en/developer-guide/sql-api/handling-responses.
    [Fact]
    public async Task Accepted_statement_is_polled_through_the_clock_until_done()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.Running(Responses.LoadHandle));
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.LoadHandle}",
            Responses.Running(Responses.LoadHandle), Responses.Running(Responses.LoadHandle), Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(250, 0, 250));

        var loaded = await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        Assert.Empty(_snowflake.Problems);
        Assert.Equal(3, _snowflake.Requests.Count(r => r.PathAndQuery == $"{FakeSnowflake.StatementsPath}/{Responses.LoadHandle}"));
        // Two waits between three polls, doubling from the 500 ms default.
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)], _time.Delays);
    }

    // Resubmitting with the same requestId and retry=true: docs.snowflake.com/en/developer-guide/sql-api/submitting-requests.
    [Fact]
    public async Task Rate_limited_submit_is_retried_with_the_same_request_id_and_retry_true()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, (429, """{"message":"too many requests"}"""), Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(250, 0, 250));

        var loaded = await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        Assert.Empty(_snowflake.Problems);
        var posts = Posts;
        Assert.Equal(2, posts.Count);
        var requestId = posts[0].PathAndQuery.Split("requestId=")[1];
        Assert.DoesNotContain("retry", requestId, StringComparison.Ordinal);
        Assert.Equal($"{FakeSnowflake.StatementsPath}?requestId={requestId}&retry=true", posts[1].PathAndQuery);
        Assert.Equal(posts[0].Body, posts[1].Body);
        var wait = Assert.Single(_time.Delays);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Server_errors_past_the_attempts_are_warehouse_unavailable()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, (503, """{"message":"service unavailable"}"""));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse(maxAttempts: 3).LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseUnavailable, ex.ErrorName);
        Assert.Contains("failed 3 time(s); last: HTTP 503", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, Posts.Count);
        Assert.Equal(2, Posts.Count(p => p.PathAndQuery.EndsWith("&retry=true", StringComparison.Ordinal)));
        Assert.Equal(2, _time.Delays.Count);
        Assert.InRange(_time.Delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    // 429 and 5xx are retried under the same requestId: docs.snowflake.com/en/developer-guide/sql-api/submitting-requests.
    [Fact]
    public async Task Every_retry_is_told_to_the_observer_with_its_wait()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.RateLimited(), (503, """{"message":"service unavailable"}"""), Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(250, 0, 250));
        var retries = new RecordedRetries();

        var loaded = await new SnowflakeWarehouse(_http, TestKeys.Options(_snowflake.BaseAddress), _time, retries).LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        var target = $"Snowflake submit at {_snowflake.BaseAddress.Host}";
        // Each notice's wait is the one the clock was asked to wait, backoff (no Retry-After).
        Assert.Equal(
            [new RetryNotice(target, 1, "HTTP 429", _time.Delays[0], false), new RetryNotice(target, 2, "HTTP 503", _time.Delays[1], false)],
            retries.Notices);
        Assert.InRange(_time.Delays[0], TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        Assert.InRange(_time.Delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_failed_copy_is_a_warehouse_error_naming_the_statement_and_snowflakes_message()
    {
        // Snowflake answers with its multi-statement wrapper (code 100132), naming the COPY.
        _snowflake.FailStatement(4, "SQL compilation error:\nStage 'CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE' does not exist or not authorized.");

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseError, ex.ErrorName);
        Assert.Contains($"Snowflake rolled back the load of {CsvKey} into CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA: statement 4 of 7 (COPY INTO) failed: "
            + "SQL compilation error:\nStage 'CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE' does not exist or not authorized. (code 100132, statementHandle "
            + Responses.LoadHandle + ")", ex.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<SnowflakeStatementException>(ex.InnerException);
        Assert.Equal("P0000", inner.SqlState);
        Assert.Single(Posts);
        Assert.Empty(_snowflake.Problems);
    }

    [Fact]
    public async Task Guard_failure_rolls_back_and_is_a_row_count_mismatch()
    {
        // The guard's cast fails with Snowflake's "Numeric value '...' is not recognized" (100038), wrapped.
        _snowflake.FailStatement(5,
            "Numeric value 'CryptoEtl row count mismatch: 249 rows for fetch_time 2026-11-25T12:00:00Z after COPY, expected 250' is not recognized");

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.RowCountMismatch, ex.ErrorName);
        Assert.Contains("249 rows", ex.Message, StringComparison.Ordinal);
        Assert.Contains(CsvKey, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_snowflake.Problems);
    }

    [Fact]
    public async Task A_failure_in_another_statement_is_never_taken_for_the_guard()
    {
        // The DELETE fails with a message that happens to carry the marker text: still a warehouse error.
        _snowflake.FailStatement(3, $"{SnowflakeSql.RowCountMismatchMarker}? no: Object 'CRYPTO_DATA' does not exist or not authorized.");

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseError, ex.ErrorName);
        Assert.Contains("statement 3 of 7 (DELETE FROM) failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_polls_ride_out_429_and_202_until_the_result()
    {
        // GET /api/v2/statements/{handle} answers 202 while running and 429 when rate limited (SQL API reference).
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.Running(Responses.LoadHandle));
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.LoadHandle}",
            Responses.RateLimited(), Responses.Running(Responses.LoadHandle), Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.RateLimited(), Responses.CopyResult(250, 0, 250));

        var loaded = await Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None);

        Assert.Equal(250, loaded);
        Assert.Empty(_snowflake.Problems);
        Assert.Equal(3, _snowflake.Requests.Count(r => r.PathAndQuery == $"{FakeSnowflake.StatementsPath}/{Responses.LoadHandle}"));
        Assert.Equal(2, _snowflake.Requests.Count(r => r.PathAndQuery == $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}"));
    }

    [Fact]
    public async Task Settings_in_lower_case_reach_the_body_as_snowflake_stores_them()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.Count(250));
        var options = TestKeys.Options(_snowflake.BaseAddress);
        var warehouse = new SnowflakeWarehouse(_http, new SnowflakeOptions
        {
            Account = options.Account, User = options.User, PrivateKey = options.PrivateKey, BaseUrl = options.BaseUrl,
            Database = "crypto_etl_db", Schema = "public", Warehouse = "crypto_etl_wh", Role = "crypto_etl_loader",
        }, _time);

        Assert.Equal(250, await warehouse.CountRowsAsync(FetchTime, CancellationToken.None));

        Assert.Empty(_snowflake.Problems);
        using var body = JsonDocument.Parse(Assert.Single(Posts).Body);
        Assert.Equal(("CRYPTO_ETL_DB", "PUBLIC", "CRYPTO_ETL_WH", "CRYPTO_ETL_LOADER"),
            (body.RootElement.GetProperty("database").GetString(), body.RootElement.GetProperty("schema").GetString(),
             body.RootElement.GetProperty("warehouse").GetString(), body.RootElement.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task A_quoted_name_is_sent_as_written_and_snowflake_refuses_one_that_does_not_exist()
    {
        // The account has a warehouse created as "crypto_etl_wh" (quoted, lower case) and no CRYPTO_ETL_WH.
        await using var account = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time, new SnowflakeObjects(Warehouse: "crypto_etl_wh"));
        account.On("POST", FakeSnowflake.StatementsPath, Responses.Count(250));
        var options = TestKeys.Options(account.BaseAddress);
        SnowflakeWarehouse With(string warehouse) => new(_http, new SnowflakeOptions
        {
            Account = options.Account, User = options.User, PrivateKey = options.PrivateKey, BaseUrl = options.BaseUrl,
            Role = options.Role, Warehouse = warehouse,
        }, _time);

        Assert.Equal(250, await With("\"crypto_etl_wh\"").CountRowsAsync(FetchTime, CancellationToken.None));
        Assert.Empty(account.Problems);

        // Unquoted, the same letters mean CRYPTO_ETL_WH: Snowflake answers 422, code 391918.
        var ex = await Assert.ThrowsAsync<SnowflakeStatementException>(() => With("crypto_etl_wh").CountRowsAsync(FetchTime, CancellationToken.None));
        Assert.Equal(ErrorNames.WarehouseError, ex.ErrorName);
        Assert.Equal("391918", ex.Code);
        Assert.Contains("warehouse \"CRYPTO_ETL_WH\" is not \"crypto_etl_wh\"", Assert.Single(account.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fake_counts_statements_as_snowflake_does_and_refuses_a_wrong_count()
    {
        // A ';' inside a literal is no separator: two statements, not three.
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.Count(1));
        var sql = new SnowflakeSqlClient(_http, TestKeys.Options(_snowflake.BaseAddress), _time);

        var ex = await Assert.ThrowsAsync<SnowflakeStatementException>(() =>
            sql.ExecuteAsync(new SqlRequest("SELECT 'a;b'; SELECT 2", StatementCount: 3), CancellationToken.None));

        Assert.Equal("000008", ex.Code);
        Assert.Equal("Actual statement count 2 did not match the desired statement count 3.", ex.SnowflakeMessage);
        Assert.Single(_snowflake.Problems);
    }

    [Theory]
    [InlineData(249, 0)]
    // COPY's output columns (file, status, rows_parsed, rows_loaded, ..., errors_seen): docs.snowflake.com/en/sql-reference/sql/copy-into-table, "Output".
    [InlineData(250, 3)]
    public async Task Copy_result_that_disagrees_with_the_transform_is_a_row_count_mismatch(long rowsLoaded, long errorsSeen)
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(rowsLoaded, errorsSeen, 250));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(Snapshot(), CancellationToken.None));

        Assert.Equal(ErrorNames.RowCountMismatch, ex.ErrorName);
        Assert.Contains($"rows_loaded={rowsLoaded}, errors_seen={errorsSeen}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("processed/2026/11/25/x.csv' ; DROP TABLE T; --.csv")]
    [InlineData("processed/../secrets.csv")]
    [InlineData("raw/2026/11/25/raw.json")]
    [InlineData("processed/2026/11/25/file name.csv")]
    public async Task A_csv_key_outside_the_strict_pattern_never_reaches_snowflake(string key)
    {
        var ex = await Assert.ThrowsAsync<PipelineException>(() => Warehouse().LoadSnapshotAsync(new SnapshotCsv(key, FetchTime, 1), CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_snowflake.Requests);
    }

    [Fact]
    public async Task Count_binds_the_fetch_time()
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.Count(250));

        var count = await Warehouse().CountRowsAsync(FetchTime, CancellationToken.None);

        Assert.Equal(250, count);
        Assert.Empty(_snowflake.Problems);
        using var body = JsonDocument.Parse(Assert.Single(Posts).Body);
        Assert.Equal("SELECT COUNT(*) AS ROW_COUNT FROM CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA WHERE FETCH_TIME = TO_TIMESTAMP_TZ(?, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            body.RootElement.GetProperty("statement").GetString());
        var binding = body.RootElement.GetProperty("bindings").GetProperty("1");
        Assert.Equal("TEXT", binding.GetProperty("type").GetString());
        Assert.Equal("2026-11-25T12:00:00Z", binding.GetProperty("value").GetString());
        Assert.Equal("1", body.RootElement.GetProperty("parameters").GetProperty("MULTI_STATEMENT_COUNT").GetString());
    }

    // A JWT that does not verify with the user's RSA_PUBLIC_KEY is refused 401: docs.snowflake.com/en/developer-guide/sql-api/authenticating.
    [Fact]
    public async Task A_key_snowflake_does_not_know_is_refused_and_raised()
    {
        // The fake verifies with the test public key; a different private key must fail auth.
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var options = TestKeys.Options(_snowflake.BaseAddress);
        var stranger = new SnowflakeWarehouse(_http, new SnowflakeOptions
        {
            Account = options.Account, User = options.User, Warehouse = options.Warehouse, BaseUrl = options.BaseUrl, PrivateKey = otherKey,
        }, _time);

        var ex = await Assert.ThrowsAsync<SnowflakeStatementException>(() => stranger.CountRowsAsync(FetchTime, CancellationToken.None));

        Assert.Equal(ErrorNames.WarehouseError, ex.ErrorName);
        Assert.Contains("HTTP 401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("auth:", Assert.Single(_snowflake.Problems), StringComparison.Ordinal);
    }
}
