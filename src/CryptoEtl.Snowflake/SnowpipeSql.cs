using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The pipe of infra/snowflake/09_snowpipe.sql, built from the same column list and file format
/// as the adapter's COPY (<see cref="SnowflakeSql"/>), plus two load-metadata columns; a test
/// holds the script to this text.
/// </summary>
public static class SnowpipeSql
{
    public const string PipeName = "CRYPTO_PROCESSED_PIPE";

    /// <summary>The stage file a row came from (METADATA$FILENAME); the views show each fetch_time's greatest, its latest write that loaded.</summary>
    public const string SourceFileColumn = "SOURCE_FILE";

    /// <summary>When the load that wrote the row started (METADATA$START_SCAN_TIME), for people reading the table.</summary>
    public const string LoadedAtColumn = "LOADED_AT";

    /// <summary>
    /// What the pipe's COPY selects. A pipe runs with no session of ours, so the session
    /// TIMEZONE = UTC the SQL API requests set (<see cref="SnowflakeSqlClient.SessionTimeZone"/>)
    /// does not apply: each timestamp gets an explicit +00:00 offset (TZH:TZM) instead, so its
    /// literal "Z" means UTC whatever the account's TIMEZONE is.
    /// </summary>
    public static string CopySelectList { get; } = string.Join(", ", CryptoSchema.Columns.Select((column, i) =>
        column.Type != ColumnType.Timestamp ? $"${i + 1}"
        : $"TO_TIMESTAMP_TZ(CONCAT(${i + 1}, '+00:00'), '{(column.Name == "fetch_time" ? SnowflakeSql.FetchTimeFormat : SnowflakeSql.CoinGeckoTimestampFormat)}TZH:TZM')"))
        + ", METADATA$FILENAME, METADATA$START_SCAN_TIME";

    /// <summary>
    /// The pipe's COPY: every snapshot CSV under the stage (processed/), never a backfill's
    /// (processed/history/..., which would land unmarked; PATTERN is a regular expression over the
    /// file's path, docs.snowflake.com/en/sql-reference/sql/copy-into-table, "PATTERN": this one
    /// holds whether the path is taken from the bucket or from the stage), the schema's columns plus
    /// <see cref="SourceFileColumn"/> and <see cref="LoadedAtColumn"/>. ON_ERROR = SKIP_FILE (Snowpipe's
    /// default, spelled out): a file with any bad row loads nothing, so no snapshot is half-loaded.
    /// </summary>
    /// <summary>The pipe's PATTERN: snapshot CSVs (processed_crypto_data_...csv) only.</summary>
    public const string Pattern = ".*processed_crypto_data_.*[.]csv";

    public static string Copy(string qualifiedTable, string qualifiedStage, string qualifiedFileFormat) =>
        $"COPY INTO {qualifiedTable} ({SnowflakeSql.ColumnList}, {SourceFileColumn}, {LoadedAtColumn}) "
        + $"FROM (SELECT {CopySelectList} FROM @{qualifiedStage}) "
        + $"FILE_FORMAT = (FORMAT_NAME = {qualifiedFileFormat}) PATTERN = '{Pattern}' ON_ERROR = SKIP_FILE";
}
