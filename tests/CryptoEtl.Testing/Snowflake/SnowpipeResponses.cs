using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>
/// loadHistoryScan answers shaped like the example and field table of
/// docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis ("Endpoint: loadHistoryScan"):
/// pipe, completeResult, startTimeInclusive, endTimeExclusive, rangeStartTime, rangeEndTime, files;
/// the first-error fields only on a file with errors.
/// </summary>
public static class SnowpipeResponses
{
    public const string Pipe = "CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_PIPE";

    public const string StageLocation = "s3://cryptoetl-data/processed/";

    /// <summary>A file entry; <paramref name="firstError"/> adds the error fields the docs list for a file with errors.</summary>
    public static object File(string path, string status, DateTimeOffset received, long rowsInserted, long errorsSeen = 0, string? firstError = null) =>
        firstError is null
            ? new Dictionary<string, object>
            {
                ["path"] = path, ["stageLocation"] = StageLocation, ["fileSize"] = 190_000,
                ["timeReceived"] = Iso(received), ["lastInsertTime"] = Iso(received.AddSeconds(20)),
                ["rowsInserted"] = rowsInserted, ["rowsParsed"] = rowsInserted + errorsSeen, ["errorsSeen"] = errorsSeen, ["errorLimit"] = 1,
                ["complete"] = status != "LOAD_IN_PROGRESS", ["status"] = status,
            }
            : new Dictionary<string, object>
            {
                ["path"] = path, ["stageLocation"] = StageLocation, ["fileSize"] = 190_000,
                ["timeReceived"] = Iso(received), ["lastInsertTime"] = Iso(received.AddSeconds(20)),
                ["rowsInserted"] = rowsInserted, ["rowsParsed"] = rowsInserted + errorsSeen, ["errorsSeen"] = errorsSeen, ["errorLimit"] = 1,
                ["firstError"] = firstError, ["firstErrorLineNum"] = 3, ["firstErrorCharacterPos"] = 41, ["firstErrorColumnName"] = "\"CRYPTO_DATA\"[\"CURRENT_PRICE\":6]",
                ["complete"] = true, ["status"] = status,
            };

    public static (int, string) LoadHistory(DateTimeOffset start, DateTimeOffset end, params object[] files) => (200, JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["pipe"] = Pipe,
        // A string, as in the docs' example and field table ("completeResult": "false").
        ["completeResult"] = "true",
        ["startTimeInclusive"] = Iso(start),
        ["endTimeExclusive"] = Iso(end),
        ["rangeStartTime"] = Iso(start),
        ["rangeEndTime"] = Iso(end),
        ["files"] = files,
    }));

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
