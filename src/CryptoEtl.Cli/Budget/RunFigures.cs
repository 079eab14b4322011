namespace CryptoEtl.Cli.Budget;

/// <summary>A per-execution figure the plan multiplies: measured here (with how) or assumed (with why).</summary>
public sealed record RunFigure(string Item, decimal Value, string Unit, string Source);

/// <summary>
/// What one execution uses, the other half of the plan next to <see cref="ListPrices"/>; docs/cost.md
/// shows the same rows.
/// </summary>
public static class RunFigures
{
    /// <summary>
    /// Standard workflows bill each state entered, retries included. A succeeded execution enters
    /// Defaults, MergeInput, Extract, Transform, Load: counted from the local runner's StateEntered
    /// events on a real `run --offline`, and a test holds this to that count.
    /// </summary>
    public static RunFigure StateTransitions { get; } = new(
        "state transitions per succeeded execution", 5, "transitions", "counted: StateEntered events of a local run of statemachine/crypto_etl.asl.json (PlanTests)");

    public static RunFigure ExtractMemory { get; } = new("Extract memory", 512, "MB", "infra/template.yaml MemorySize");

    public static RunFigure TransformMemory { get; } = new("Transform memory", 1024, "MB", "infra/template.yaml MemorySize");

    public static RunFigure LoadMemory { get; } = new("Load memory", 256, "MB", "infra/template.yaml MemorySize");

    public static RunFigure CoinGeckoCallSeconds { get; } = new(
        "CoinGecko response time per call", 1.0m, "s", "assumed (no network here); Extract waits only for calls beyond the rate in a trailing minute (docs/extract.md, pacing)");

    public static RunFigure TransformSeconds { get; } = new(
        "Transform duration", 0.06m, "s", "docs/performance.md: the whole Native AOT process on 17,000 coins, 59 ms (an upper bound for 2 pages)");

    public static RunFigure CopySeconds { get; } = new(
        "Load duration, COPY (warehouse resume + DELETE + COPY + count)", 5m, "s", "assumed: not measurable here (no Snowflake); the warehouse bills it on top of its auto-suspend wait");

    public static RunFigure PipeSeconds { get; } = new(
        "Load duration, pipe, per attempt (confirming ingestion, no warehouse)", 1m, "s",
        "assumed: a HEAD and a read of the CSV and one Snowpipe REST call (loadHistoryScan)");

    public static RunFigure SnowpipeLatencySeconds { get; } = new(
        "Snowpipe latency, CSV written to rows loaded", 120, "s",
        "assumed: Snowflake gives no bound (\"in most cases ... within a few minutes\", https://docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis); each look before it is a pending retry");

    /// <summary>
    /// The Load state's waits for Snowpipe (its IngestPending retrier in statemachine/crypto_etl.asl.json:
    /// 60 s doubling to at most 240 s, 5 retries, no jitter; PlanTests holds the two equal).
    /// </summary>
    public static IReadOnlyList<int> PendingWaitsSeconds { get; } = [60, 120, 240, 240, 240];

    /// <summary>Pending retries of a run whose CSV Snowpipe loads <see cref="SnowpipeLatencySeconds"/> after it is written: the waits until one reaches it.</summary>
    public static int PendingRetries(decimal latencySeconds)
    {
        var waited = 0m;
        for (var retry = 0; retry < PendingWaitsSeconds.Count; retry++)
        {
            if (waited >= latencySeconds)
            {
                return retry;
            }

            waited += PendingWaitsSeconds[retry];
        }

        return PendingWaitsSeconds.Count;
    }

    public static RunFigure S3PutsPerRun { get; } = new(
        "S3 PUT requests per run", 3, "requests", "counted: the raw object, the CSV and the quality object, one PutObject each (S3ObjectStore: one PutObject below its 8 MB buffer)");

    public static RunFigure S3GetsPerRun { get; } = new(
        "S3 GET/HEAD requests per run, outside Load", 3, "requests",
        "counted: Extract's HEAD of the raw key (the shrink rule), Transform's GET of it, Snowflake's GET of the CSV (COPY or the pipe)");

    public static RunFigure S3GetsPerLoadAttempt { get; } = new(
        "S3 GET/HEAD requests per Load attempt", 2, "requests", "counted: Load's GET of the CSV (its shape check) and, in pipe mode, its HEAD (the write time); COPY mode makes the GET only");

    public static RunFigure LogBytesPerInvocation { get; } = new(
        "CloudWatch Logs per Lambda invocation", 1500, "bytes",
        "assumed: Lambda's START, END and REPORT lines (about 400 bytes) and our JSON lines (a few hundred bytes each; more on a retry)");

    public static RunFigure AutoSuspendSeconds { get; } = new(
        "warehouse auto-suspend", 60, "s", "infra/snowflake/01_database_schema.sql AUTO_SUSPEND = 60");

    public static RunFigure CsvBytesPerCoin { get; } = new(
        "CSV bytes per coin", 367, "bytes", "measured: `cryptoetl run --offline` wrote 36,612 bytes for 100 coins (2026-12-07)");

    public static RunFigure CoinsPerPage { get; } = new("coins per page", 250, "coins", "Extract's default per_page (docs/extract.md)");

    public static IReadOnlyList<RunFigure> All { get; } =
    [
        StateTransitions, ExtractMemory, TransformMemory, LoadMemory, CoinGeckoCallSeconds, TransformSeconds, CopySeconds, PipeSeconds,
        SnowpipeLatencySeconds, S3PutsPerRun, S3GetsPerRun, S3GetsPerLoadAttempt, LogBytesPerInvocation, AutoSuspendSeconds, CsvBytesPerCoin, CoinsPerPage,
    ];
}
