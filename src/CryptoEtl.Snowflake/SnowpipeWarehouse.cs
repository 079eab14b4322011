using System.Globalization;
using System.Net;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// Load in pipe mode (CRYPTOETL_LOAD_MODE=pipe): the auto-ingest pipe of
/// infra/snowflake/09_snowpipe.sql loads the CSV on its own when S3 announces it; this confirms
/// that load and resumes no warehouse. One GET of the Snowpipe REST API's loadHistoryScan, which
/// Snowpipe's service answers with no warehouse (docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis;
/// insertReport covers only files sent through insertFiles, which an auto-ingest pipe never gets):
/// - the CSV's entry says LOADED with the expected rows: the load succeeded;
/// - no entry yet, or LOAD_IN_PROGRESS: <see cref="ErrorNames.IngestPending"/>, and the state
///   machine's Retry looks again later (waiting there, not in a billed Lambda);
/// - LOAD_FAILED or PARTIALLY_LOADED: a WarehouseError naming the file, the pipe and Snowflake's error.
/// Every write of a snapshot has a CSV name of its own (ObjectKeys.Csv), since Snowpipe never loads
/// a name it has seen in 14 days; so the CSV's one entry is this write's load, never an older one's.
/// </summary>
public sealed class SnowpipeWarehouse : IWarehouse
{
    /// <summary>Slack for the clocks of S3 and Snowflake when comparing the CSV's write time with Snowpipe's timeReceived.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private readonly SnowflakeHttp _snowflake;
    private readonly SnowflakeOptions _options;
    private readonly IObjectStore _store;
    private readonly TimeProvider _time;

    public SnowpipeWarehouse(HttpClient http, SnowflakeOptions options, IObjectStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        _snowflake = new SnowflakeHttp(http, options, time);
        _options = options;
        _store = store;
        _time = time;
    }

    public string Table => _options.QualifiedTable;

    public string Pipe => _options.PipeRestName;

    /// <summary>
    /// The pipe loads snapshot CSVs only (its PATTERN, <see cref="SnowpipeSql.Copy"/>): rows it loaded
    /// carry no backfill id, and a bucket's replacement needs one transaction, which a pipe has not.
    /// </summary>
    public Task<int> LoadHistoryAsync(CryptoEtl.Core.Backfill.HistoryCsv history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        throw new PipelineException(ErrorNames.Configuration,
            $"pipe mode does not load backfills ({history.CsvKey}): a backfill loads in COPY mode (--load copy), which refuses a table a pipe feeds (docs/backfill.md)");
    }

    public async Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var stagePath = snapshot.StagePath;
        var written = await _store.HeadAsync(snapshot.CsvKey, cancellationToken)
            ?? throw new PipelineException(ErrorNames.ObjectNotFound, $"{snapshot.CsvKey} is not in the store, so pipe {Pipe} cannot have loaded it");
        var since = written.LastModified - ClockSkew;

        var latest = await FindAsync(stagePath, since, cancellationToken);
        switch (latest)
        {
            case null:
                throw new PipelineException(ErrorNames.IngestPending,
                    $"pipe {Pipe} has not loaded {snapshot.CsvKey} yet (no entry for {stagePath} in its load history since {Iso(since)})");
            case { Status: SnowpipeFileReport.LoadInProgress }:
                throw new PipelineException(ErrorNames.IngestPending,
                    $"pipe {Pipe} is still loading {snapshot.CsvKey} ({latest.RowsInserted} rows in so far)");
            // The pipe's load history is pipe mode's one witness of what Snowflake loaded.
            case { Status: SnowpipeFileReport.Loaded } when latest.RowsInserted == snapshot.ExpectedRows:
                return (int)latest.RowsInserted;
            case { Status: SnowpipeFileReport.Loaded }:
                throw new PipelineException(ErrorNames.RowCountMismatch,
                    $"pipe {Pipe} loaded {latest.RowsInserted} rows from {snapshot.CsvKey} into {Table}; the transform wrote {snapshot.ExpectedRows}");
            default:
                throw new PipelineException(ErrorNames.WarehouseError,
                    $"pipe {Pipe} did not load {snapshot.CsvKey} ({latest.Status}, {latest.ErrorsSeen} error(s)): {latest.ErrorText()}");
        }
    }

    /// <summary>Scans were cut at 10,000 entries this often before the CSV's turn: a pipe that busy is out of this pipeline's scale.</summary>
    public const int MaxScans = 10;

    /// <summary>
    /// The CSV's entry since <paramref name="since"/>: the first scan, and while an answer is
    /// incomplete (over 10,000 entries) and lacks it, the next one from its rangeEndTime.
    /// </summary>
    private async Task<SnowpipeFileReport?> FindAsync(string stagePath, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var start = since;
        for (var scan = 0; scan < MaxScans; scan++)
        {
            using var answer = await LoadHistoryAsync(start, cancellationToken);
            var root = answer.RootElement;
            var entry = SnowpipeFileReport.ReadAll(root).Where(r => r.Path == stagePath).MaxBy(r => r.LastInsertTime ?? r.TimeReceived);
            if (entry is not null || SnowpipeFileReport.IsComplete(root) || SnowpipeFileReport.RangeEnd(root) is not { } next || next <= start)
            {
                return entry;
            }

            start = next;
        }

        throw new PipelineException(ErrorNames.WarehouseError,
            $"pipe {Pipe}'s load history since {Iso(since)} holds over {MaxScans} x 10,000 entries without {stagePath}");
    }

    /// <summary>GET /v1/data/pipes/{pipe}/loadHistoryScan?startTimeInclusive=...: one attempt; a 429 or 5xx is WarehouseUnavailable, which the state machine retries.</summary>
    private async Task<JsonDocument> LoadHistoryAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var path = $"v1/data/pipes/{Uri.EscapeDataString(Pipe)}/loadHistoryScan?startTimeInclusive={Uri.EscapeDataString(Iso(since))}&requestId={Guid.NewGuid():D}";
        using var request = _snowflake.Request(HttpMethod.Get, path);
        HttpStatusCode status;
        byte[] body;
        try
        {
            using var response = await _snowflake.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PipelineException(ErrorNames.WarehouseUnavailable, $"Snowpipe load history of {Pipe} at {_snowflake.BaseUrl.Host}: {ex.Message}", ex);
        }

        var document = SqlApiResponse.ParseOrNull(body);
        if (status == HttpStatusCode.OK && document is not null)
        {
            return document;
        }

        using (document)
        {
            // The Snowpipe REST API takes no role: it runs as the user's DEFAULT_ROLE, whatever SNOWFLAKE_ROLE says.
            throw status switch
            {
                HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => new PipelineException(ErrorNames.WarehouseUnavailable,
                    $"Snowpipe load history of {Pipe} answered HTTP {(int)status}"),
                HttpStatusCode.Forbidden => new PipelineException(ErrorNames.Configuration,
                    $"Snowpipe refused the load history of {Pipe} (HTTP 403): the default role of user {_options.User} lacks MONITOR on the pipe (infra/snowflake/09_snowpipe.sql grants it to CRYPTO_ETL_LOADER): {Message(document)}"),
                // 404: "pipeName not recognized", also when the role has no privilege on the pipe (the docs' note).
                HttpStatusCode.NotFound => new PipelineException(ErrorNames.Configuration,
                    $"Snowpipe does not know pipe {Pipe}, or the default role of user {_options.User} has no privilege on it (SNOWFLAKE_PIPE names it; infra/snowflake/09_snowpipe.sql creates it and grants MONITOR)"),
                _ => new PipelineException(ErrorNames.WarehouseError,
                    $"Snowpipe load history of {Pipe} answered HTTP {(int)status}: {Message(document)}"),
            };
        }
    }

    private static string Message(JsonDocument? document) =>
        document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            ? message.GetString() ?? "" : "no message";

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
