namespace CryptoEtl.Cli.Budget;

/// <summary>A list price: what is billed, in US dollars (or Snowflake credits) per unit, where it was read and when.</summary>
public sealed record ListPrice(string Item, decimal Price, string Unit, string Source, string Checked);

/// <summary>
/// The one table of list prices `cryptoetl plan` multiplies by; docs/cost.md shows the same rows
/// (a test checks each one is there). On-demand list prices, region us-east-1 / AWS US East,
/// without free tiers, so the plan is an upper bound.
/// </summary>
public static class ListPrices
{
    private const string Checked = "2026-11-29";

    // The published us-east-1 price, written down without fetching the page again (no network here).
    private const string NotRefetched = "2026-12-07, not re-fetched";

    public static ListPrice StepFunctionsStandardTransition { get; } = new(
        "Step Functions Standard, state transition", 0.000025m, "USD per transition",
        "https://aws.amazon.com/step-functions/pricing/ ($0.025 per 1,000)", Checked);

    public static ListPrice StepFunctionsExpressRequest { get; } = new(
        "Step Functions Express, request", 0.000001m, "USD per execution",
        "https://aws.amazon.com/step-functions/pricing/ ($1.00 per million)", Checked);

    public static ListPrice StepFunctionsExpressDuration { get; } = new(
        "Step Functions Express, duration", 0.00001667m, "USD per GB-second (64 MB steps, 100 ms steps)",
        "https://aws.amazon.com/step-functions/pricing/ (first 1,000 GB-hours)", Checked);

    public static ListPrice LambdaRequest { get; } = new(
        "Lambda, request", 0.0000002m, "USD per invocation",
        "https://aws.amazon.com/lambda/pricing/ ($0.20 per million)", Checked);

    public static ListPrice LambdaDuration { get; } = new(
        "Lambda, duration (x86_64, the template's default)", 0.0000166667m, "USD per GB-second (1 ms steps)",
        "https://aws.amazon.com/lambda/pricing/ (first 6 billion GB-seconds)", Checked);

    public static ListPrice SnowflakeCredit { get; } = new(
        "Snowflake credit, Standard edition, on demand", 2.00m, "USD per credit",
        "https://www.snowflake.com/pricing/ (AWS US East, Standard)", Checked);

    public static ListPrice WarehouseXSmall { get; } = new(
        "Snowflake X-Small warehouse, running", 1m, "credits per hour, per second, 60 s minimum per resume",
        "https://docs.snowflake.com/en/user-guide/warehouses-overview (credit usage per size; billing per second, 60 s minimum)", Checked);

    public static ListPrice SnowpipePerGigabyte { get; } = new(
        "Snowpipe, data ingested", 0.0037m, "credits per GB, CSV at its uncompressed size",
        "https://docs.snowflake.com/en/release-notes/2025/other/2025-12-08-snowpipe-simplified-pricing (0.0037 credits per GB, no per-file charge; https://docs.snowflake.com/en/user-guide/data-load-snowpipe-billing: all editions, text at its uncompressed size)", "2026-12-07");

    public static ListPrice S3Put { get; } = new(
        "S3 Standard, PUT/COPY/POST/LIST request", 0.000005m, "USD per request",
        "https://aws.amazon.com/s3/pricing/ ($0.005 per 1,000)", NotRefetched);

    public static ListPrice S3Get { get; } = new(
        "S3 Standard, GET/HEAD and other requests", 0.0000004m, "USD per request",
        "https://aws.amazon.com/s3/pricing/ ($0.0004 per 1,000)", NotRefetched);

    public static ListPrice LogsIngested { get; } = new(
        "CloudWatch Logs, ingestion (standard class)", 0.50m, "USD per GB",
        "https://aws.amazon.com/cloudwatch/pricing/ (logs collected, $0.50 per GB)", NotRefetched);

    public static ListPrice CoinGeckoBasic { get; } = new(
        "CoinGecko Basic (pro) plan", 35m, "USD per month, billed annually",
        "https://www.coingecko.com/en/api/pricing", Checked);

    public static IReadOnlyList<ListPrice> All { get; } =
    [
        StepFunctionsStandardTransition, StepFunctionsExpressRequest, StepFunctionsExpressDuration, LambdaRequest, LambdaDuration,
        SnowflakeCredit, WarehouseXSmall, SnowpipePerGigabyte, S3Put, S3Get, LogsIngested, CoinGeckoBasic,
    ];
}
