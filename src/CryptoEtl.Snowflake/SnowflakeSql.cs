using System.Globalization;
using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The SQL the adapter sends, built from <see cref="CryptoSchema"/> (the one column list) and
/// from checked values: names from <see cref="SnowflakeOptions"/> (plain identifiers), the CSV's
/// stage path (<see cref="SnapshotCsv"/> admits only a snapshot's CSV key) and the fetch time
/// (formatted from a DateTimeOffset).
/// </summary>
public static partial class SnowflakeSql
{
    /// <summary>Text of the error the load's guard statement raises; the adapter maps it to RowCountMismatch.</summary>
    public const string RowCountMismatchMarker = "CryptoEtl row count mismatch";

    /// <summary>Position of the COPY among <see cref="LoadStatements"/> (its result has rows_loaded/errors_seen).</summary>
    public const int CopyStatementIndex = 3;

    /// <summary>Position of the row-count guard among <see cref="LoadStatements"/>.</summary>
    public const int GuardStatementIndex = 4;

    /// <summary>
    /// The fetch time as <see cref="ObjectKeys.Iso"/> writes it (2026-11-25T12:00:00Z), in
    /// Snowflake's format elements (docs.snowflake.com/en/sql-reference/functions-conversion,
    /// "Date and time formats"): "T" and "Z" are literals; with no offset element the session
    /// time zone applies, which every request sets to UTC (<see cref="SnowflakeSqlClient.SessionTimeZone"/>).
    /// </summary>
    public const string FetchTimeFormat = "YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"";

    /// <summary>CoinGecko's timestamps as the CSV carries them verbatim (2021-11-10T14:24:11.849Z): milliseconds, then Z.</summary>
    public const string CoinGeckoTimestampFormat = "YYYY-MM-DD\"T\"HH24:MI:SS.FF3\"Z\"";

    /// <summary>A bound fetch time in SQL text: TO_TIMESTAMP_TZ(?, FetchTimeFormat), the value from <see cref="ObjectKeys.Iso"/>.</summary>
    public static string BoundFetchTime { get; } = $"TO_TIMESTAMP_TZ(?, '{FetchTimeFormat}')";

    private const string FetchTimeColumn = "fetch_time";

    /// <summary>
    /// Snowflake type of each schema type. FLOAT (a double, 15 to 17 significant digits) for
    /// amounts: prices go down to 1e-10 and below while supplies reach 1e18, which no single
    /// NUMBER(38,s) scale holds; values of up to 15 significant digits read back exactly, longer
    /// ones as the nearest double (docs/snowflake.md, "Column types").
    /// </summary>
    public static string TypeOf(ColumnType type) => type switch
    {
        ColumnType.Timestamp => "TIMESTAMP_TZ",
        ColumnType.Text => "VARCHAR",
        ColumnType.Number => "FLOAT",
        ColumnType.WholeNumber => "NUMBER(38,0)",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string ColumnList { get; } = string.Join(", ", CryptoSchema.Columns.Select(c => c.UpperName));

    /// <summary>TO_TIMESTAMP_TZ('2026-11-25T12:00:00Z', FetchTimeFormat) - digits and separators only, from a DateTimeOffset.</summary>
    public static string FetchTimeLiteral(DateTimeOffset fetchTime) => $"TO_TIMESTAMP_TZ('{ObjectKeys.Iso(fetchTime)}', '{FetchTimeFormat}')";

    /// <summary>
    /// What COPY selects from the CSV, column by column ($1, $2, ...): each timestamp parsed with
    /// its explicit format (the fetch time's own, CoinGecko's for the others), every other field
    /// as the file format reads it.
    /// </summary>
    public static string CopySelectList { get; } = string.Join(", ", CryptoSchema.Columns.Select((column, i) =>
        column.Type != ColumnType.Timestamp ? $"${i + 1}"
        : $"TO_TIMESTAMP_TZ(${i + 1}, '{(column.Name == FetchTimeColumn ? FetchTimeFormat : CoinGeckoTimestampFormat)}')"));

    /// <summary>
    /// One multi-statement request, one session, one transaction: replace the rows of this
    /// fetch_time with the CSV's rows, commit only when the table then holds exactly the
    /// expected number of rows for it, and drop the backfilled rows of its bucket. Snowflake takes no bindings in a multi-statement request,
    /// so the only values here are the checked ones named in the class summary.
    /// </summary>
    public static IReadOnlyList<string> LoadStatements(SnowflakeOptions options, SnapshotCsv snapshot)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snapshot);
        var table = options.QualifiedTable;
        var fetchTime = FetchTimeLiteral(snapshot.FetchTime);
        var expected = snapshot.ExpectedRows.ToString(CultureInfo.InvariantCulture);
        return
        [
            // A failing statement then aborts the whole transaction instead of leaving it open.
            "ALTER SESSION SET TRANSACTION_ABORT_ON_ERROR = TRUE",
            "BEGIN TRANSACTION",
            $"DELETE FROM {table} WHERE FETCH_TIME = {fetchTime}",
            // FORCE: a re-run reloads the same file (the DELETE already removed its earlier rows).
            // A COPY with a SELECT: the only way to give each timestamp column its own format
            // (docs.snowflake.com/en/user-guide/data-load-transform, "Supported functions": an
            // explicit TO_TIMESTAMP_* cast applies its own format, not the file format's).
            $"COPY INTO {table} ({ColumnList}) FROM (SELECT {CopySelectList} FROM @{options.QualifiedStage}/{snapshot.StagePath}) "
                + $"FILE_FORMAT = (FORMAT_NAME = {options.QualifiedFileFormat}) ON_ERROR = ABORT_STATEMENT FORCE = TRUE",
            // The check that holds the COMMIT: Snowflake reads the stage, not the file Load counted.
            // Plain SQL cannot RAISE; a failing cast carrying a readable message stops the COMMIT.
            $"SELECT TO_NUMBER(IFF(COUNT(*) = {expected}, '0', '{RowCountMismatchMarker}: ' || COUNT(*) || "
                + $"' rows for fetch_time {snapshot.Snapshot.Iso} after COPY, expected {expected}')) AS ROW_COUNT_CHECK "
                + $"FROM {table} WHERE FETCH_TIME = {fetchTime}",
            DropBackfilledBucket(table, fetchTime),
            "COMMIT",
        ];
    }

    /// <summary>
    /// The pipes of the table's schema the role can see (SHOW needs no warehouse;
    /// docs.snowflake.com/en/sql-reference/sql/show-pipes: one row per pipe, its COPY in "definition").
    /// </summary>
    public static SqlRequest ShowPipes(SnowflakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SqlRequest($"SHOW PIPES IN SCHEMA {options.QualifiedTable[..options.QualifiedTable.LastIndexOf('.')]}");
    }

    /// <summary>True when a pipe's COPY (SHOW PIPES "definition") loads into <paramref name="qualifiedTable"/>.</summary>
    public static bool PipeFeeds(string definition, string qualifiedTable)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var copy = PipeTarget().Match(definition);
        return copy.Success && string.Equals(copy.Groups["table"].Value.Replace("\"", "", StringComparison.Ordinal), qualifiedTable.Replace("\"", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A bound query: how many rows a snapshot has in the table.</summary>
    public static SqlRequest CountRows(SnowflakeOptions options, DateTimeOffset fetchTime)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SqlRequest(
            $"SELECT COUNT(*) AS ROW_COUNT FROM {options.QualifiedTable} WHERE FETCH_TIME = {BoundFetchTime}",
            [SqlBinding.Text(ObjectKeys.Iso(fetchTime))]);
    }

    [GeneratedRegex(@"COPY\s+INTO\s+(?<table>[^\s(]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PipeTarget();
}
