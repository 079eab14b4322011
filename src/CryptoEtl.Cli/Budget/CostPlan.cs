using CryptoEtl.CoinGecko;
using CryptoEtl.Composition;
using CryptoEtl.Core;

namespace CryptoEtl.Cli.Budget;

/// <summary>The schedule a plan is for.</summary>
public sealed record PlanRequest(TimeSpan Every, int Pages, KeyTier Tier, LoadMode Load, bool Express);

/// <summary>A month of one schedule: usage per service and its dollars at <see cref="ListPrices"/>.</summary>
public sealed record CostPlan
{
    /// <summary>The longest month: CoinGecko's allowance is per calendar month, so 31 days is the one that must fit.</summary>
    public static readonly TimeSpan Month = TimeSpan.FromDays(31);

    /// <summary>EventBridge Scheduler's smallest rate.</summary>
    public static readonly TimeSpan MinimumEvery = TimeSpan.FromMinutes(1);

    /// <summary>Far beyond CoinGecko's market (about 53 pages), and small enough that no count overflows.</summary>
    public const int MaxPages = 1000;

    public required PlanRequest Request { get; init; }

    public required long Runs { get; init; }

    public required int CallsPerRun { get; init; }

    public required long CoinGeckoCalls { get; init; }

    public required long StateTransitions { get; init; }

    /// <summary>Express: the execution's billed duration (100 ms steps) times its 64 MB.</summary>
    public required decimal ExpressGigabyteSeconds { get; init; }

    public required long LambdaRequests { get; init; }

    public required decimal LambdaGigabyteSeconds { get; init; }

    /// <summary>Seconds the warehouse bills per run (COPY); 0 for pipe.</summary>
    public required decimal WarehouseSecondsPerRun { get; init; }

    public required decimal SnowpipeGigabytes { get; init; }

    public required decimal SnowflakeCredits { get; init; }

    public required decimal StepFunctionsDollars { get; init; }

    public required decimal LambdaDollars { get; init; }

    public required decimal SnowflakeDollars { get; init; }

    public required decimal CoinGeckoDollars { get; init; }

    /// <summary>Pipe mode: the Load state's looks before Snowpipe has loaded the CSV, each a state transition and an invocation.</summary>
    public required int PendingRetriesPerRun { get; init; }

    public required long S3PutRequests { get; init; }

    public required long S3GetRequests { get; init; }

    public required decimal S3Dollars { get; init; }

    public required decimal LogGigabytes { get; init; }

    public required decimal LogDollars { get; init; }

    public decimal TotalDollars => StepFunctionsDollars + LambdaDollars + SnowflakeDollars + S3Dollars + LogDollars + CoinGeckoDollars;

    public bool OverCallBudget => Request.Tier.MonthlyCalls is { } allowance && CoinGeckoCalls > allowance;

    /// <summary>The shortest whole-minute interval whose month of calls fits the tier; null when it has no monthly allowance.</summary>
    public TimeSpan? ShortestFittingEvery => Request.Tier.MonthlyCalls is { } allowance
        ? TimeSpan.FromMinutes(Math.Ceiling(Month.TotalMinutes * CallsPerRun / allowance))
        : null;

    public static CostPlan For(PlanRequest request)
    {
        ThrowIfOutOfRange(request);
        var runs = (long)Math.Ceiling(Month.TotalSeconds / request.Every.TotalSeconds);
        var calls = request.Pages + 1; // the pages of /coins/markets, then /global

        // Lambda: Extract waits only for calls beyond the tier's rate in a trailing minute, then each function's duration times its memory.
        var extractSeconds = (decimal)TrailingWindowPacer.LeastTimeFor(calls, request.Tier.CallsPerMinute).TotalSeconds + (calls * RunFigures.CoinGeckoCallSeconds.Value);
        // Pipe mode: Load looks once, then once more after each of the Load state's waits until Snowpipe has loaded the CSV.
        var pending = request.Load == LoadMode.Pipe ? RunFigures.PendingRetries(RunFigures.SnowpipeLatencySeconds.Value) : 0;
        var loadAttempts = 1 + pending;
        var loadSeconds = request.Load == LoadMode.Copy ? RunFigures.CopySeconds.Value : loadAttempts * RunFigures.PipeSeconds.Value;
        var invocations = 2 + loadAttempts;
        var lambdaSeconds = extractSeconds + RunFigures.TransformSeconds.Value + loadSeconds;
        var gigabyteSecondsPerRun =
            (RunFigures.ExtractMemory.Value * extractSeconds
             + RunFigures.TransformMemory.Value * RunFigures.TransformSeconds.Value
             + RunFigures.LoadMemory.Value * loadSeconds) / 1024m;

        var (transitions, expressGbSeconds, stepFunctions) = StepFunctions(request, runs, pending, lambdaSeconds);
        var (warehouseSeconds, pipeGigabytes, credits) = Snowflake(request, runs);

        var puts = runs * (long)RunFigures.S3PutsPerRun.Value;
        var gets = runs * ((long)RunFigures.S3GetsPerRun.Value + (loadAttempts * (request.Load == LoadMode.Pipe ? (long)RunFigures.S3GetsPerLoadAttempt.Value : 1)));
        var logGigabytes = runs * invocations * RunFigures.LogBytesPerInvocation.Value / 1_000_000_000m;

        return new CostPlan
        {
            Request = request,
            Runs = runs,
            CallsPerRun = calls,
            CoinGeckoCalls = runs * calls,
            StateTransitions = transitions,
            ExpressGigabyteSeconds = expressGbSeconds,
            LambdaRequests = runs * invocations,
            LambdaGigabyteSeconds = runs * gigabyteSecondsPerRun,
            WarehouseSecondsPerRun = warehouseSeconds,
            SnowpipeGigabytes = pipeGigabytes,
            SnowflakeCredits = credits,
            StepFunctionsDollars = stepFunctions,
            LambdaDollars = (runs * invocations * ListPrices.LambdaRequest.Price) + (runs * gigabyteSecondsPerRun * ListPrices.LambdaDuration.Price),
            PendingRetriesPerRun = pending,
            S3PutRequests = puts,
            S3GetRequests = gets,
            S3Dollars = (puts * ListPrices.S3Put.Price) + (gets * ListPrices.S3Get.Price),
            LogGigabytes = logGigabytes,
            LogDollars = logGigabytes * ListPrices.LogsIngested.Price,
            SnowflakeDollars = credits * ListPrices.SnowflakeCredit.Price,
            CoinGeckoDollars = request.Tier.Subscription?.Price ?? 0,
        };
    }

    private static void ThrowIfOutOfRange(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Every < MinimumEvery)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"--every {request.Every}: EventBridge Scheduler runs at most once a minute");
        }

        if (request.Pages is < 1 or > MaxPages)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"--pages {request.Pages}: plan needs a number of pages, 1 to {MaxPages} (the whole market is about 53 pages of 250 coins)");
        }
    }

    /// <summary>
    /// Step Functions: Standard bills transitions; Express bills requests and duration (100 ms steps, 64 MB).
    /// A retry is a state transition too (Step Functions pricing: "including retries").
    /// </summary>
    private static (long Transitions, decimal ExpressGbSeconds, decimal Dollars) StepFunctions(PlanRequest request, long runs, int pending, decimal lambdaSeconds)
    {
        var transitions = request.Express ? 0 : runs * ((long)RunFigures.StateTransitions.Value + pending);
        // An Express execution bills its whole duration, the Load state's waits for Snowpipe included.
        var waitedSeconds = (decimal)RunFigures.PendingWaitsSeconds.Take(pending).Sum();
        var expressGbSeconds = request.Express ? runs * Math.Ceiling((lambdaSeconds + waitedSeconds) * 10) / 10 * 64 / 1024m : 0;
        var dollars = request.Express
            ? (runs * ListPrices.StepFunctionsExpressRequest.Price) + (expressGbSeconds * ListPrices.StepFunctionsExpressDuration.Price)
            : transitions * ListPrices.StepFunctionsStandardTransition.Price;
        return (transitions, expressGbSeconds, dollars);
    }

    /// <summary>
    /// Snowflake: a COPY resumes the warehouse, which runs until auto-suspend (at least 60 s, and
    /// never longer than the interval: then it simply stays up); a pipe bills the CSV's size.
    /// </summary>
    private static (decimal WarehouseSeconds, decimal PipeGigabytes, decimal Credits) Snowflake(PlanRequest request, long runs)
    {
        var warehouseSeconds = request.Load == LoadMode.Copy
            ? Math.Max(60m, Math.Min((decimal)request.Every.TotalSeconds, RunFigures.CopySeconds.Value + RunFigures.AutoSuspendSeconds.Value))
            : 0;
        var pipeGigabytes = request.Load == LoadMode.Pipe
            ? runs * request.Pages * RunFigures.CoinsPerPage.Value * RunFigures.CsvBytesPerCoin.Value / 1_000_000_000m
            : 0;
        var credits = (runs * warehouseSeconds / 3600m * ListPrices.WarehouseXSmall.Price) + (pipeGigabytes * ListPrices.SnowpipePerGigabyte.Price);
        return (warehouseSeconds, pipeGigabytes, credits);
    }
}
