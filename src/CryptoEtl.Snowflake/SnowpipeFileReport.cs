using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.Snowflake;

/// <summary>
/// One entry of the Snowpipe REST API's load history ("files" of loadHistoryScan; field names and
/// statuses from docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis, "Response Fields").
/// Read with JsonDocument, no reflection, so it stays Native AOT safe.
/// </summary>
public sealed record SnowpipeFileReport(
    string Path,
    string Status,
    DateTimeOffset? TimeReceived,
    DateTimeOffset? LastInsertTime,
    long RowsInserted,
    long ErrorsSeen,
    string? FirstError,
    long? FirstErrorLineNum,
    string? FirstErrorColumnName,
    string? SystemError)
{
    /// <summary>Part of the file is in the table, the rest not yet.</summary>
    public const string LoadInProgress = "LOAD_IN_PROGRESS";

    public const string Loaded = "LOADED";

    public const string LoadFailed = "LOAD_FAILED";

    /// <summary>Finished with some rows skipped (only with ON_ERROR = CONTINUE; our pipe skips the whole file).</summary>
    public const string PartiallyLoaded = "PARTIALLY_LOADED";

    /// <summary>
    /// Whether a loadHistoryScan answer holds every entry of its range. The docs give completeResult
    /// as a string, "true" or "false" (data-load-snowpipe-rest-apis, "Endpoint: loadHistoryScan",
    /// the response example); an answer caps at 10,000 entries, and the next scan starts at its
    /// rangeEndTime. Anything but "true" (or a JSON true) counts as incomplete.
    /// </summary>
    public static bool IsComplete(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("completeResult", out var complete)
        && (complete.ValueKind == JsonValueKind.True || (complete.ValueKind == JsonValueKind.String && complete.GetString() == "true"));

    /// <summary>The time of the newest entry an answer holds (rangeEndTime), where an incomplete scan resumes.</summary>
    public static DateTimeOffset? RangeEnd(JsonElement root) => root.ValueKind == JsonValueKind.Object ? Time(root, "rangeEndTime") : null;

    /// <summary>The entries of a loadHistoryScan answer; an entry without path or status is skipped.</summary>
    public static IReadOnlyList<SnowpipeFileReport> ReadAll(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var reports = new List<SnowpipeFileReport>();
        foreach (var file in files.EnumerateArray())
        {
            if (Text(file, "path") is { } path && Text(file, "status") is { } status)
            {
                reports.Add(new SnowpipeFileReport(
                    path,
                    status,
                    Time(file, "timeReceived"),
                    Time(file, "lastInsertTime"),
                    Number(file, "rowsInserted") ?? 0,
                    Number(file, "errorsSeen") ?? 0,
                    Text(file, "firstError"),
                    Number(file, "firstErrorLineNum"),
                    Text(file, "firstErrorColumnName"),
                    Text(file, "systemError")));
            }
        }

        return reports;
    }

    /// <summary>Snowflake's own words on why the file did not load.</summary>
    public string ErrorText()
    {
        var parts = new List<string>();
        if (FirstError is { Length: > 0 } first)
        {
            var where = FirstErrorLineNum is { } line ? $" (line {line}{(FirstErrorColumnName is { Length: > 0 } column ? $", column {column}" : "")})" : "";
            parts.Add($"first error: {first}{where}");
        }

        if (SystemError is { Length: > 0 } system)
        {
            parts.Add($"system error: {system}");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : $"{ErrorsSeen} error(s), no message";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    // ISO-8601 in UTC, e.g. 2017-08-25T22:43:45.383Z.
    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
}
