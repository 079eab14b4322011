using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>What the loader's role may do with the pipe (Snowpipe REST API, "Response codes" of loadHistoryScan).</summary>
public enum PipeAccess
{
    /// <summary>MONITOR on the pipe (infra/snowflake/09_snowpipe.sql grants it): the history is answered.</summary>
    Monitor,

    /// <summary>A privilege on the pipe but not MONITOR: 403.</summary>
    WithoutMonitor,

    /// <summary>No privilege on the pipe at all: 404, as for a pipe that does not exist.</summary>
    None,
}

/// <summary>
/// An auto-ingest pipe as Snowflake documents it, behind <see cref="FakeSnowflake"/>'s loadHistoryScan:
/// - a file name seen in the last 14 days gets no new load, even when the file changed
///   (docs.snowflake.com/en/user-guide/data-load-snowpipe-intro, "Data duplication": Snowpipe
///   "prevents loading files with the same name even if they were later modified");
/// - a file that failed to load stays registered and is ignored by later pipe activity
///   (docs.snowflake.com/en/user-guide/data-load-snowpipe-ts, "Unable to reload modified data");
/// - the load history keeps 14 days (data-load-snowpipe-intro, "Load history": Snowpipe's metadata
///   is kept 14 days);
/// - loadHistoryScan answers at most 10,000 entries, completeResult a string "true" or "false"
///   (docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis, "Endpoint: loadHistoryScan",
///   its response example and field table).
/// A file that loads appends its rows to <see cref="Rows"/> with its name, as the pipe's COPY
/// records METADATA$FILENAME in SOURCE_FILE.
/// </summary>
public sealed class FakeSnowpipe
{
    public const int MaxEntriesPerScan = 10_000;

    public static readonly TimeSpan HistoryKept = TimeSpan.FromDays(14);

    private readonly List<Entry> _entries = [];
    private readonly List<(string SourceFile, string Row)> _rows = [];
    private readonly Lock _lock = new();

    /// <summary>The rows the pipe appended to the table, each with its stage file.</summary>
    public IReadOnlyList<(string SourceFile, string Row)> Rows
    {
        get
        {
            lock (_lock)
            {
                return [.. _rows];
            }
        }
    }

    /// <summary>The S3 event for <paramref name="stagePath"/> reached the pipe at <paramref name="at"/>.
    /// The file loads its rows (after the header), or fails with <paramref name="error"/>; a name
    /// registered in the last 14 days is ignored. Returns whether it was loaded or failed anew.</summary>
    public bool Notify(string stagePath, string csv, DateTimeOffset at, string? error = null)
    {
        lock (_lock)
        {
            if (_entries.Any(e => e.Path == stagePath && e.Received > at - HistoryKept))
            {
                return false;
            }

            var rows = csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            _entries.Add(new Entry(stagePath, at, at.AddSeconds(20), error is null ? rows.Length : 0, error is null ? 0 : 1, error));
            if (error is null)
            {
                _rows.AddRange(rows.Select(r => (stagePath, r)));
            }

            return true;
        }
    }

    /// <summary>Adds <paramref name="count"/> loads of other files from <paramref name="at"/> on, a millisecond apart (a busy pipe).</summary>
    public void AddOtherFiles(int count, DateTimeOffset at)
    {
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                var time = at.AddMilliseconds(i);
                _entries.Add(new Entry($"other/{i:D6}.csv", time, time, 1, 0, null));
            }
        }
    }

    /// <summary>The loadHistoryScan answer for [start, end), at <paramref name="now"/>.</summary>
    public (int Status, string Body) Scan(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        lock (_lock)
        {
            var inRange = _entries
                .Where(e => e.Received > now - HistoryKept && e.LastInsert >= start && e.LastInsert < end)
                .OrderBy(e => e.LastInsert)
                .ToList();
            var files = inRange.Take(MaxEntriesPerScan).ToList();
            var body = new Dictionary<string, object>
            {
                ["pipe"] = SnowpipeResponses.Pipe,
                ["completeResult"] = files.Count == inRange.Count ? "true" : "false",
                ["startTimeInclusive"] = Iso(start),
                ["endTimeExclusive"] = Iso(end),
                ["rangeStartTime"] = Iso(files.Count > 0 ? files[0].LastInsert : start),
                ["rangeEndTime"] = Iso(files.Count > 0 ? files[^1].LastInsert : end),
                ["files"] = files.Select(e => SnowpipeResponses.File(e.Path, e.Error is null ? "LOADED" : "LOAD_FAILED", e.Received, e.RowsInserted, e.ErrorsSeen, e.Error)).ToArray(),
            };
            return (200, JsonSerializer.Serialize(body));
        }
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record Entry(string Path, DateTimeOffset Received, DateTimeOffset LastInsert, long RowsInserted, long ErrorsSeen, string? Error);
}
