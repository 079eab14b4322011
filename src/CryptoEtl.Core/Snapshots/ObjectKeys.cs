namespace CryptoEtl.Core;

/// <summary>
/// Where each step's objects live, the same in S3 and in a local folder:
/// raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json,
/// processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z_&lt;write id&gt;.csv and
/// processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.quality.json.
/// Every write of a snapshot's CSV gets a name never used before (its write id): Snowpipe never
/// loads a file name it has seen in the last 14 days, even when the file changed, and keeps a
/// failed file registered (docs.snowflake.com/en/user-guide/data-load-snowpipe-intro, "Data
/// duplication"; data-load-snowpipe-ts, "Unable to reload modified data"), so a re-run, a forced
/// replacement or a repair under the same name would never load. The quality object describes the
/// latest transform of the fetch time and names its CSV. The names of a snapshot are formatted in
/// <see cref="SnapshotId"/>; the functions here are its shorthand for a bare time.
/// </summary>
public static class ObjectKeys
{
    public const string RawPrefix = "raw/";
    public const string ProcessedPrefix = "processed/";

    public static string Raw(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).RawKey;

    /// <summary>Length of a write id: a UUIDv7 in 32 lower-case hex digits.</summary>
    public const int WriteIdLength = 32;

    /// <summary>The CSV of one write of a snapshot; <paramref name="writeId"/> from <see cref="NewWriteId"/>.</summary>
    public static string Csv(DateTimeOffset fetchTime, string writeId) => SnapshotId.Of(fetchTime).CsvKey(writeId);

    /// <summary>
    /// A new write id: a UUIDv7 (RFC 9562), whose first 48 bits are the Unix time in milliseconds,
    /// so the CSVs of one fetch time sort by when they were written; the views take the last one
    /// (infra/snowflake/08_trends.sql, V_SNAPSHOT_ROWS). Its 74 random bits keep two writes in one
    /// millisecond apart.
    /// </summary>
    public static string NewWriteId() => Guid.CreateVersion7().ToString("N");

    /// <summary>True when <paramref name="key"/> is a CSV of this fetch time, <see cref="Csv"/> of some write id.</summary>
    public static bool IsCsvOf(string key, DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).IsCsvKey(key);

    /// <summary>The key every CSV of this fetch time starts with (for listing them).</summary>
    public static string CsvStem(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).CsvStem;

    public static string Quality(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).QualityKey;

    /// <summary>
    /// Throws InvalidInput unless <paramref name="key"/> is a relative '/'-separated key with no
    /// empty, "." or ".." segment: the rule every store applies, so a key means the same object in
    /// a folder and in a bucket.
    /// </summary>
    public static string Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal)
            || key.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"invalid object key \"{key}\"");
        }

        return key;
    }

    /// <summary>A fetch time as the key stamp: UTC, whole seconds, colons replaced (2026-11-25T12-00-00Z).</summary>
    public static string Stamp(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).Stamp;

    /// <summary>Snapshots are identified to the second, in UTC.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).FetchTime;

    /// <summary>ISO 8601 UTC with Z, the way fetch_time is written in CSV and JSON.</summary>
    public static string Iso(DateTimeOffset fetchTime) => SnapshotId.Of(fetchTime).Iso;

    internal static bool IsWriteId(string? text) =>
        text is { Length: WriteIdLength } && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
