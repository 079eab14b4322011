using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Snowflake;

/// <summary>
/// Loads a snapshot's (or a backfill's) CSV from the external stage into CRYPTO_DATA through the SQL API:
/// idempotent (the fetch_time's rows are replaced) and all-or-nothing (one transaction that
/// commits only with the expected row count).
/// </summary>
public sealed class SnowflakeWarehouse : IWarehouse, IWarehouseReader
{
    private readonly SnowflakeSqlClient _sql;
    private readonly SnowflakeOptions _options;

    /// <summary>The observer, if any, hears every retry of a Snowflake request before its wait (the Lambda log, the CLI's output).</summary>
    public SnowflakeWarehouse(HttpClient http, SnowflakeOptions options, TimeProvider time, IRetryObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _sql = new SnowflakeSqlClient(http, options, time, observer);
    }

    public string Table => _options.QualifiedTable;

    /// <summary>The account, user and names it was made with (pipe mode confirms loads with the same).</summary>
    public SnowflakeOptions Options => _options;

    public async Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await LoadAsync(snapshot.CsvKey, SnowflakeSql.LoadStatements(_options, snapshot), SnowflakeSql.CopyStatementIndex, SnowflakeSql.GuardStatementIndex, snapshot.ExpectedRows, cancellationToken);
        return snapshot.ExpectedRows;
    }

    /// <summary>
    /// Sends a load's statements as one multi-statement request and checks COPY's own report: the
    /// guard held the COMMIT to the table's count, COPY's report is what this file gave, which must
    /// agree (a COPY that loaded nothing over rows another session left would not). Returns the handles.
    /// </summary>
    private async Task<IReadOnlyList<string>> LoadAsync(string csvKey, IReadOnlyList<string> statements, int copyIndex, int guardIndex, int expectedRows, CancellationToken cancellationToken)
    {
        await RefuseWhenAPipeFeedsTheTableAsync(csvKey, cancellationToken);
        SqlResult load;
        try
        {
            load = await _sql.ExecuteAsync(new SqlRequest(string.Join(";\n", statements), StatementCount: statements.Count), cancellationToken);
        }
        catch (SnowflakeStatementException ex) when (ex.FailedStatement is { } failed)
        {
            throw LoadFailure(csvKey, statements, guardIndex, failed, ex);
        }

        if (load.StatementHandles.Count != statements.Count)
        {
            throw new PipelineException(ErrorNames.WarehouseError,
                $"Snowflake answered the load of {csvKey} with {load.StatementHandles.Count} statement handles, expected {statements.Count}");
        }

        var copy = await _sql.GetResultAsync(load.StatementHandles[copyIndex], cancellationToken);
        var (rowsLoaded, errorsSeen) = CopyTotals(copy);
        if (errorsSeen > 0 || rowsLoaded != expectedRows)
        {
            throw new PipelineException(ErrorNames.RowCountMismatch,
                $"COPY of {csvKey} into {Table} reported rows_loaded={rowsLoaded}, errors_seen={errorsSeen}; the transform wrote {expectedRows} rows");
        }

        return load.StatementHandles;
    }

    /// <summary>
    /// A backfill's rows, with DuckDB's semantics (docs/backfill.md): one transaction that commits
    /// only when COPY gave the CSV's rows (<see cref="SnowflakeSql.HistoryLoadStatements"/>);
    /// returns the rows kept, fewer than the CSV's where snapshots cover buckets. A re-run replaces
    /// its own rows, so it adds none.
    /// </summary>
    public async Task<int> LoadHistoryAsync(HistoryCsv history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var handles = await LoadAsync(history.CsvKey, SnowflakeSql.HistoryLoadStatements(_options, history),
            SnowflakeSql.HistoryCopyStatementIndex, SnowflakeSql.HistoryGuardStatementIndex, history.ExpectedRows, cancellationToken);

        // UPDATE answers "number of rows updated" (docs.snowflake.com/en/sql-reference/sql/update, "Output").
        var marked = await _sql.GetResultAsync(handles[SnowflakeSql.HistoryMarkStatementIndex], cancellationToken);
        return marked.Rows is [[{ } kept, ..], ..] && int.TryParse(kept, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rows)
            ? rows
            : throw new PipelineException(ErrorNames.WarehouseError, $"Snowflake returned no count of the rows of {history.CsvKey} it kept");
    }

    /// <summary>
    /// Bulk loading or Snowpipe, not both on one table (Snowflake's Snowpipe introduction,
    /// docs.snowflake.com/en/user-guide/data-load-snowpipe-intro, advises against loading the same
    /// files both ways): the auto-ingest pipe loads every snapshot CSV the
    /// bucket announces, so a COPY of it too would load the CSV twice. One SHOW PIPES (no
    /// warehouse needed) before the load; any pipe of the schema that copies into the table stops it.
    /// The role sees the pipes it has a privilege on (09_snowpipe.sql grants MONITOR to the loader).
    /// </summary>
    private async Task RefuseWhenAPipeFeedsTheTableAsync(string csvKey, CancellationToken cancellationToken)
    {
        var pipes = await _sql.ExecuteAsync(SnowflakeSql.ShowPipes(_options), cancellationToken);
        if (pipes.Rows.Count == 0)
        {
            return;
        }

        var name = pipes.ColumnIndex("name");
        var definition = pipes.ColumnIndex("definition");
        var feeding = pipes.Rows.Where(r => r[definition] is { } copy && SnowflakeSql.PipeFeeds(copy, Table)).Select(r => r[name]).ToList();
        if (feeding.Count > 0)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"pipe {string.Join(", ", feeding)} loads {Table} already, so a COPY of {csvKey} would load it twice: use pipe mode (CRYPTOETL_LOAD_MODE=pipe, --load pipe), or drop the pipe to load by COPY");
        }
    }

    /// <summary>How many rows the table holds for a fetch time (a bound query).</summary>
    public async Task<long> CountRowsAsync(DateTimeOffset fetchTime, CancellationToken cancellationToken)
    {
        var result = await _sql.ExecuteAsync(SnowflakeSql.CountRows(_options, fetchTime), cancellationToken);
        return result.Rows is [[{ } count, ..], ..]
            ? long.Parse(count, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : throw new PipelineException(ErrorNames.WarehouseError, $"Snowflake returned no count for {Table}");
    }

    /// <summary>Runs one statement (bind its values) and returns its rows as Snowflake's strings; small results only.</summary>
    public Task<SqlResult> QueryAsync(SqlRequest request, CancellationToken cancellationToken) => _sql.ExecuteAsync(request, cancellationToken);

    public async Task<IReadOnlyList<DominantCoin>> TopByDominanceAsync(DateTimeOffset fetchTime, int count, CancellationToken cancellationToken)
    {
        // Snowflake's JSON result carries every value as a string.
        var result = await QueryAsync(
            new SqlRequest(IWarehouseReader.TopByDominanceSql(Table, SnowflakeSql.BoundFetchTime, count), [SqlBinding.Text(ObjectKeys.Iso(fetchTime))]), cancellationToken);
        return [.. result.Rows.Select(r => new DominantCoin(r[0], r[1], r[2],
            double.TryParse(r[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null))];
    }

    /// <summary>
    /// Snowflake's multi-statement wrapper error (code 100132), mapped by the statement it names:
    /// the guard's own failure is RowCountMismatch; any other statement's is a WarehouseError that
    /// names the statement. Either way the transaction was rolled back.
    /// </summary>
    private PipelineException LoadFailure(string csvKey, IReadOnlyList<string> statements, int guardIndex, MultiStatementFailure failed, SnowflakeStatementException ex)
    {
        var index = failed.IndexIn(statements);
        if (index == guardIndex && failed.InnerMessage.Contains(SnowflakeSql.RowCountMismatchMarker, StringComparison.Ordinal))
        {
            return new PipelineException(ErrorNames.RowCountMismatch,
                $"Snowflake rolled back the load of {csvKey} into {Table}: {failed.InnerMessage}", ex);
        }

        var which = index >= 0
            ? $"statement {index + 1} of {statements.Count} ({StatementName(statements[index])})"
            : $"the statement at line {failed.Line} (\"{failed.StatementStart}...\")";
        return new PipelineException(ErrorNames.WarehouseError,
            $"Snowflake rolled back the load of {csvKey} into {Table}: {which} failed: {failed.InnerMessage} (code {ex.Code}, statementHandle {ex.StatementHandle ?? "none"})", ex);
    }

    // The statement's first words: "COPY INTO", "DELETE FROM", "SELECT".
    private static string StatementName(string statement) => string.Join(' ', statement.Split(' ', 3).Take(2));

    // COPY reports one row per file; "Copy executed with 0 files processed." has no counts at all.
    private static (long RowsLoaded, long ErrorsSeen) CopyTotals(SqlResult copy)
    {
        if (!copy.Columns.Any(c => string.Equals(c, "rows_loaded", StringComparison.OrdinalIgnoreCase)))
        {
            return (0, 0);
        }

        var loaded = copy.ColumnIndex("rows_loaded");
        var errors = copy.ColumnIndex("errors_seen");
        long Number(string? text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return (copy.Rows.Sum(r => Number(r[loaded])), copy.Rows.Sum(r => Number(r[errors])));
    }
}
