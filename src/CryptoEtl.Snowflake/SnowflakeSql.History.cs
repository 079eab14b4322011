using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;

namespace CryptoEtl.Snowflake;

public static partial class SnowflakeSql
{
    /// <summary>Position of the COPY among <see cref="HistoryLoadStatements"/>.</summary>
    public const int HistoryCopyStatementIndex = 2;

    /// <summary>Position of the row-count guard among <see cref="HistoryLoadStatements"/>.</summary>
    public const int HistoryGuardStatementIndex = 3;

    /// <summary>Position of the UPDATE that marks the rows kept (its result counts them) among <see cref="HistoryLoadStatements"/>.</summary>
    public const int HistoryMarkStatementIndex = 6;

    /// <summary>
    /// A backfill's load, with DuckDB's semantics (docs/backfill.md), in one transaction: COPY the
    /// CSV's rows marked as in loading (a value no backfill id takes, visible only inside the
    /// transaction, since TRANSACTION_ABORT_ON_ERROR never commits a failed one), hold the COMMIT
    /// to the CSV's row count, drop the loading rows of buckets a snapshot covers, drop the other
    /// backfilled rows of the buckets left (the newest backfill takes a bucket whole, a re-run
    /// replaces its own), then mark the loading rows with the backfill id.
    /// The backfill id and stage path are checked (<see cref="BackfillKeys.IdOfCsv"/>: letters, digits, '-').
    /// </summary>
    public static IReadOnlyList<string> HistoryLoadStatements(SnowflakeOptions options, HistoryCsv history)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(history);
        if (BackfillKeys.IdOfCsv(history.CsvKey) != history.BackfillId)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"{history.CsvKey} is not backfill {history.BackfillId}'s CSV");
        }

        var table = options.QualifiedTable;
        var loading = $"'loading {history.BackfillId}'";
        var unit = history.BackfillId.Contains("-day", StringComparison.Ordinal) ? "DAY" : "HOUR";
        var expected = history.ExpectedRows.ToString(CultureInfo.InvariantCulture);
        return
        [
            "ALTER SESSION SET TRANSACTION_ABORT_ON_ERROR = TRUE",
            "BEGIN TRANSACTION",
            // A constant in a COPY's SELECT fills a column the file lacks (docs.snowflake.com/en/user-guide/data-load-transform, "Load data with a column list / transformations").
            $"COPY INTO {table} ({ColumnList}, BACKFILL_ID) FROM (SELECT {CopySelectList}, {loading} FROM @{options.QualifiedStage}/{history.CsvKey[ObjectKeys.ProcessedPrefix.Length..]}) "
                + $"FILE_FORMAT = (FORMAT_NAME = {options.QualifiedFileFormat}) ON_ERROR = ABORT_STATEMENT FORCE = TRUE",
            $"SELECT TO_NUMBER(IFF(COUNT(*) = {expected}, '0', '{RowCountMismatchMarker}: ' || COUNT(*) || "
                + $"' rows of backfill {history.BackfillId} after COPY, expected {expected}')) AS ROW_COUNT_CHECK "
                + $"FROM {table} WHERE BACKFILL_ID = {loading}",
            // A bucket a snapshot falls in stays the snapshot's (a backfilled row's fetch time is its bucket's start).
            $"DELETE FROM {table} AS H USING (SELECT DISTINCT VS_CURRENCY, DATE_TRUNC('{unit}', FETCH_TIME) AS BUCKET FROM {table} WHERE BACKFILL_ID IS NULL) AS S "
                + $"WHERE H.BACKFILL_ID = {loading} AND H.VS_CURRENCY = S.VS_CURRENCY AND H.FETCH_TIME = S.BUCKET",
            $"DELETE FROM {table} AS D USING (SELECT DISTINCT VS_CURRENCY, FETCH_TIME FROM {table} WHERE BACKFILL_ID = {loading}) AS H "
                + $"WHERE D.BACKFILL_ID <> {loading} AND D.VS_CURRENCY = H.VS_CURRENCY AND D.FETCH_TIME = H.FETCH_TIME",
            $"UPDATE {table} SET BACKFILL_ID = '{history.BackfillId}' WHERE BACKFILL_ID = {loading}",
            "COMMIT",
        ];
    }

    /// <summary>
    /// A snapshot takes its bucket over: the backfilled rows of its UTC day (day backfills) or hour
    /// (hour backfills) in its currency go, as DuckDB's load does (docs/backfill.md).
    /// </summary>
    private static string DropBackfilledBucket(string table, string fetchTime) =>
        $"DELETE FROM {table} WHERE BACKFILL_ID IS NOT NULL "
        + $"AND ((BACKFILL_ID LIKE '%-day%' AND FETCH_TIME = DATE_TRUNC('DAY', {fetchTime})) OR (BACKFILL_ID LIKE '%-hour%' AND FETCH_TIME = DATE_TRUNC('HOUR', {fetchTime}))) "
        + $"AND VS_CURRENCY IN (SELECT VS_CURRENCY FROM {table} WHERE FETCH_TIME = {fetchTime} AND BACKFILL_ID IS NULL)";
}
