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
        "Load duration, pipe (confirming ingestion, no warehouse)", 1m, "s",
        "assumed: one Snowpipe REST call (loadHistoryScan) per attempt; an attempt before Snowpipe has loaded the CSV is retried by the Load state (IngestPending), one more state transition and invocation each, not counted here (docs/snowflake.md)");

    public static RunFigure AutoSuspendSeconds { get; } = new(
        "warehouse auto-suspend", 60, "s", "infra/snowflake/01_database_schema.sql AUTO_SUSPEND = 60");

    public static RunFigure CsvBytesPerCoin { get; } = new(
        "CSV bytes per coin", 367, "bytes", "measured: `cryptoetl run --offline` wrote 36,612 bytes for 100 coins (2026-12-07)");

    public static RunFigure CoinsPerPage { get; } = new("coins per page", 250, "coins", "Extract's default per_page (docs/extract.md)");

    public static IReadOnlyList<RunFigure> All { get; } =
    [
        StateTransitions, ExtractMemory, TransformMemory, LoadMemory, CoinGeckoCallSeconds, TransformSeconds, CopySeconds, PipeSeconds,
        AutoSuspendSeconds, CsvBytesPerCoin, CoinsPerPage,
    ];
}
