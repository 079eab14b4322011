using System.Globalization;
using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The SQL the adapter sends, built from <see cref="CryptoSchema"/> (the one column list) and
/// from values it has checked: names from <see cref="SnowflakeOptions"/> (plain identifiers), the
/// CSV's stage path (a strict key pattern) and the fetch time (formatted from a DateTimeOffset).
/// </summary>
public static partial class SnowflakeSql
{
    /// <summary>Text of the error the load's guard statement raises; the adapter maps it to RowCountMismatch.</summary>
    public const string RowCountMismatchMarker = "CryptoEtl row count mismatch";

    /// <summary>Position of the COPY among <see cref="LoadStatements"/> (its result has rows_loaded/errors_seen).</summary>
    public const int CopyStatementIndex = 3;

    /// <summary>
    /// Snowflake type of each schema type. FLOAT (a double) for amounts: prices go down to 1e-10
    /// and below while supplies reach 1e18, and CoinGecko sends doubles, so a double keeps every
    /// value as sent; NUMBER(38,s) would have to choose between truncating tiny prices and
    /// overflowing huge supplies.
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

    /// <summary>The CSV's path relative to the stage, which sits on the bucket's processed/ prefix.</summary>
    public static string StagePath(string csvKey)
    {
        ArgumentNullException.ThrowIfNull(csvKey);
        if (!CsvKeyPattern().IsMatch(csvKey))
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"csv_key \"{csvKey}\" is not a processed CSV key (processed/.../name.csv with letters, digits, _ and -)");
        }

        return csvKey[ObjectKeys.ProcessedPrefix.Length..];
    }

    /// <summary>'2026-11-25T12:00:00Z'::TIMESTAMP_TZ - digits and separators only, from a DateTimeOffset.</summary>
    public static string FetchTimeLiteral(DateTimeOffset fetchTime) => $"'{ObjectKeys.Iso(fetchTime)}'::TIMESTAMP_TZ";

    /// <summary>
    /// One multi-statement request, one session, one transaction: replace the rows of this
    /// fetch_time with the CSV's rows and commit only when the table then holds exactly the
    /// expected number of rows for it. Snowflake takes no bindings in a multi-statement request,
    /// so the only values here are the checked ones named in the class summary.
    /// </summary>
    public static IReadOnlyList<string> LoadStatements(SnowflakeOptions options, SnapshotCsv snapshot)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.ExpectedRows < 0)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"expected_rows must not be negative, got {snapshot.ExpectedRows}");
        }

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
            $"COPY INTO {table} ({ColumnList}) FROM @{options.QualifiedStage}/{StagePath(snapshot.CsvKey)} "
                + $"FILE_FORMAT = (FORMAT_NAME = {options.QualifiedFileFormat}) ON_ERROR = ABORT_STATEMENT FORCE = TRUE",
            // Plain SQL cannot RAISE; a failing cast carrying a readable message stops the COMMIT.
            $"SELECT TO_NUMBER(IFF(COUNT(*) = {expected}, '0', '{RowCountMismatchMarker}: ' || COUNT(*) || "
                + $"' rows for fetch_time {ObjectKeys.Iso(snapshot.FetchTime)} after COPY, expected {expected}')) AS ROW_COUNT_CHECK "
                + $"FROM {table} WHERE FETCH_TIME = {fetchTime}",
            "COMMIT",
        ];
    }

    /// <summary>A bound query: how many rows a snapshot has in the table.</summary>
    public static SqlRequest CountRows(SnowflakeOptions options, DateTimeOffset fetchTime)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SqlRequest(
            $"SELECT COUNT(*) AS ROW_COUNT FROM {options.QualifiedTable} WHERE FETCH_TIME = TO_TIMESTAMP_TZ(?)",
            [SqlBinding.Text(ObjectKeys.Iso(fetchTime))]);
    }

    [GeneratedRegex(@"^processed/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.csv$", RegexOptions.CultureInvariant)]
    private static partial Regex CsvKeyPattern();
}
