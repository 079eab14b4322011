using System.Text.RegularExpressions;
using CryptoEtl.Cli.Budget;
using CryptoEtl.Composition;
using CryptoEtl.StateMachine;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// `cryptoetl plan`. Expected figures are worked out here from the vendors' list prices (restated
/// with their pages, not read from ListPrices) and the per-run figures in docs/cost.md.
/// </summary>
public sealed partial class PlanTests : IDisposable
{
    // https://aws.amazon.com/step-functions/pricing/: Standard $0.025 per 1,000 transitions; Express
    // $1.00 per million requests and $0.00001667 per GB-second (64 MB, 100 ms steps).
    private const decimal PerTransition = 0.025m / 1000;
    private const decimal PerExpressRequest = 1.00m / 1_000_000;
    private const decimal PerExpressGbSecond = 0.00001667m;

    // https://aws.amazon.com/lambda/pricing/ (x86): $0.20 per million requests, $0.0000166667 per GB-second.
    private const decimal PerLambdaRequest = 0.20m / 1_000_000;
    private const decimal PerLambdaGbSecond = 0.0000166667m;

    // https://www.snowflake.com/pricing/ Standard, AWS US East: $2 per credit; X-Small 1 credit an
    // hour, billed per second with a 60 s minimum; Snowpipe 0.0037 credits per GB (docs page "Snowpipe costs").
    private const decimal PerCredit = 2m;
    private const decimal SnowpipeCreditsPerGb = 0.0037m;

    // https://aws.amazon.com/s3/pricing/ (S3 Standard, us-east-1): $0.005 per 1,000 PUTs, $0.0004 per 1,000 GETs;
    // https://aws.amazon.com/cloudwatch/pricing/: $0.50 per GB of logs ingested.
    private const decimal PerPut = 0.005m / 1000;
    private const decimal PerGet = 0.0004m / 1000;
    private const decimal PerLogGb = 0.50m;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CostPlan Plan(string every, int pages, KeyTier tier, LoadMode load, bool express = false) =>
        CostPlan.For(new PlanRequest(Interval.Parse(every), pages, tier, load, express));

    [Fact]
    public void Every_15_minutes_with_a_demo_key_and_copy_fits_the_calls_and_costs_a_warehouse_resume_per_run()
    {
        var plan = Plan("15m", 2, KeyTier.Demo, LoadMode.Copy);

        const long runs = 31 * 24 * 4; // 2,976
        Assert.Equal(runs, plan.Runs);
        Assert.Equal(runs * 3, plan.CoinGeckoCalls); // 2 pages + /global
        Assert.False(plan.OverCallBudget); // 8,928 <= 10,000
        Assert.Equal(runs * 5, plan.StateTransitions);
        Assert.Equal(runs * 5 * PerTransition, plan.StepFunctionsDollars); // $0.372

        // Extract: 3 calls within a Demo key's 30 a minute go at once, 1 s each = 3 s at 512 MB; Transform 0.06 s at 1 GB; Load 5 s at 256 MB.
        const decimal gbSeconds = (0.5m * 3) + (1m * 0.06m) + (0.25m * 5); // 2.81
        Assert.Equal(runs * gbSeconds, plan.LambdaGigabyteSeconds);
        Assert.Equal((runs * 3 * PerLambdaRequest) + (runs * gbSeconds * PerLambdaGbSecond), plan.LambdaDollars);

        // The warehouse runs the 5 s COPY, then idles 60 s until auto-suspend: 65 s a run.
        Assert.Equal(65m, plan.WarehouseSecondsPerRun);
        Assert.Equal(runs * 65m / 3600, plan.SnowflakeCredits); // 53.73
        Assert.Equal(runs * 65m / 3600 * PerCredit, plan.SnowflakeDollars); // $107.47
        Assert.Equal(0m, plan.CoinGeckoDollars);
        // S3: the raw object, the CSV and the quality object put; a HEAD and a GET of the raw key, Load's GET and Snowflake's GET of the CSV.
        Assert.Equal(runs * 3, plan.S3PutRequests);
        Assert.Equal(runs * 4, plan.S3GetRequests);
        Assert.Equal((runs * 3 * PerPut) + (runs * 4 * PerGet), plan.S3Dollars);
        // Logs: 3 invocations of 1,500 bytes.
        Assert.Equal(runs * 3 * 1500 / 1_000_000_000m * PerLogGb, plan.LogDollars);
        Assert.Equal(108.04m, Math.Round(plan.TotalDollars, 2)); // 0.372 + 0.141 + 0.049 + 0.007 + 107.467
    }

    [Fact]
    public void Snowpipe_on_express_bills_the_csv_size_and_the_execution_duration()
    {
        var plan = Plan("15m", 2, KeyTier.Demo, LoadMode.Pipe, express: true);

        const long runs = 2976;
        Assert.Equal(0, plan.StateTransitions);
        // Snowpipe loads 120 s after the write (assumed): Load looks at 0 s, after 60 s and after 60 + 120 s: 2 pending retries.
        Assert.Equal(2, plan.PendingRetriesPerRun);
        Assert.Equal(runs * 5, plan.LambdaRequests);
        // 3 + 0.06 + 3 x 1 = 6.06 s of functions and 180 s of waiting, billed as 186.1 s of 64 MB.
        const decimal expressGbSeconds = runs * 186.1m * 64 / 1024;
        Assert.Equal(expressGbSeconds, plan.ExpressGigabyteSeconds);
        Assert.Equal((runs * PerExpressRequest) + (expressGbSeconds * PerExpressGbSecond), plan.StepFunctionsDollars);
        // 500 coins of 367 bytes a run, GB = 10^9 bytes.
        const decimal gigabytes = runs * 500 * 367 / 1_000_000_000m; // 0.546096
        Assert.Equal(gigabytes, plan.SnowpipeGigabytes);
        Assert.Equal(0m, plan.WarehouseSecondsPerRun);
        Assert.Equal(gigabytes * SnowpipeCreditsPerGb * PerCredit, plan.SnowflakeDollars);
        Assert.True(plan.TotalDollars < 1m, $"{plan.TotalDollars}");
    }

    [Fact]
    public void A_warehouse_resumed_every_minute_never_suspends_and_bills_the_whole_month()
    {
        var plan = Plan("1m", 1, KeyTier.Pro, LoadMode.Copy);

        Assert.Equal(31 * 24 * 60, plan.Runs);
        Assert.Equal(60m, plan.WarehouseSecondsPerRun);
        Assert.Equal(31 * 24m, plan.SnowflakeCredits); // 1 credit an hour, all month
        Assert.Equal(35m, plan.CoinGeckoDollars); // Basic, https://www.coingecko.com/en/api/pricing
    }

    [Fact]
    public void Keyless_extract_waits_only_for_calls_beyond_10_in_a_trailing_minute()
    {
        var plan = Plan("1h", 2, KeyTier.Keyless, LoadMode.Copy);

        // 3 calls of 1 s, no wait = 3 s at 512 MB.
        Assert.Equal(744 * ((0.5m * 3) + 0.06m + (0.25m * 5)), plan.LambdaGigabyteSeconds);
        Assert.False(plan.OverCallBudget); // no published monthly allowance
        Assert.Null(plan.ShortestFittingEvery);

        // 13 pages + /global = 14 calls: 10 at once, 4 when the first are 61 s old (docs/extract.md); 61 + 14 x 1 s = 75 s.
        var sweep = Plan("1h", 13, KeyTier.Keyless, LoadMode.Copy);
        Assert.Equal(744 * ((0.5m * 75) + 0.06m + (0.25m * 5)), sweep.LambdaGigabyteSeconds);
    }

    [Fact]
    public async Task A_schedule_over_the_tiers_monthly_calls_prints_the_plan_and_exits_1_with_one_line()
    {
        var (exit, output, error) = await RunAsync("plan", "--every", "5m");

        Assert.Equal(1, exit);
        Assert.Contains("26,784 of 10,000 a month (demo, 30/min)", output, StringComparison.Ordinal);
        // 31 days x 3 calls / 10,000 = 13.4 minutes: 14m is the shortest interval that fits.
        Assert.Equal(
            "cryptoetl: CryptoEtl.InvalidInput: every 5m with 2 pages makes 26,784 CoinGecko calls in a 31-day month; the demo tier allows 10,000: run every 14m or less often, fetch fewer pages, or use another tier",
            error.TrimEnd());
        Assert.False(Plan("14m", 2, KeyTier.Demo, LoadMode.Copy).OverCallBudget);
        Assert.True(Plan("13m", 2, KeyTier.Demo, LoadMode.Copy).OverCallBudget);
    }

    [Fact]
    public async Task A_schedule_within_the_allowance_exits_0_with_the_total()
    {
        var (exit, output, error) = await RunAsync("plan", "--every", "15m", "--load", "pipe");

        Assert.True(exit == 0, error);
        Assert.Matches(@"total\s+\$0\.71\n", output);
        Assert.Contains("20,832 state transitions (incl. 2 Snowpipe waits a run)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_15_minutes_on_snowpipe_with_a_demo_key_stays_under_a_dollar_all_in()
    {
        var plan = Plan("15m", 2, KeyTier.Demo, LoadMode.Pipe);

        const long runs = 2976;
        // 5 states entered + 2 pending retries of Load, each a transition and an invocation.
        Assert.Equal(runs * 7, plan.StateTransitions);
        Assert.Equal(runs * 7 * PerTransition, plan.StepFunctionsDollars);
        const decimal gbSeconds = (0.5m * 3) + (1m * 0.06m) + (0.25m * 3 * 1);
        Assert.Equal((runs * 5 * PerLambdaRequest) + (runs * gbSeconds * PerLambdaGbSecond), plan.LambdaDollars);
        // S3: 3 PUTs; HEAD + GET of the raw key, Snowpipe's GET, and a GET and a HEAD of the CSV per Load attempt (3).
        Assert.Equal((runs * 3 * PerPut) + (runs * 9 * PerGet), plan.S3Dollars);
        Assert.Equal(runs * 5 * 1500 / 1_000_000_000m * PerLogGb, plan.LogDollars);
        Assert.True(plan.TotalDollars <= 1m, $"{plan.TotalDollars}");
        Assert.Equal(0.71m, Math.Round(plan.TotalDollars, 2));
    }

    [Fact]
    public void Pending_waits_are_the_load_states_retrier()
    {
        var load = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoPaths.Path("statemachine", "crypto_etl.asl.json")))!["States"]!["Load"]!["Retry"]!.AsArray()
            .Single(r => r!["ErrorEquals"]!.AsArray().Any(e => (string?)e == "CryptoEtl.IngestPending"))!;
        var interval = (double)load["IntervalSeconds"]!;
        var rate = (double)load["BackoffRate"]!;
        var max = (double)load["MaxDelaySeconds"]!;

        var waits = Enumerable.Range(0, (int)load["MaxAttempts"]!).Select(i => (int)Math.Min(interval * Math.Pow(rate, i), max));

        Assert.Equal("NONE", (string?)load["JitterStrategy"]);
        Assert.Equal(waits, RunFigures.PendingWaitsSeconds);
        Assert.Equal(0, RunFigures.PendingRetries(0));
        Assert.Equal(1, RunFigures.PendingRetries(60));
        Assert.Equal(2, RunFigures.PendingRetries(61));
        Assert.Equal(5, RunFigures.PendingRetries(10_000));
    }

    [Theory]
    [InlineData("15")]
    [InlineData("0m")]
    [InlineData("30s")]
    public async Task A_bad_interval_is_a_named_error(string every)
    {
        var (exit, _, error) = await RunAsync("plan", "--every", every);

        Assert.Equal(1, exit);
        Assert.StartsWith("cryptoetl: CryptoEtl.InvalidInput: --every", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_transitions_and_csv_bytes_per_coin_are_those_of_a_real_local_run()
    {
        var settings = new PipelineSettings { DataDir = _dir.FullPath, Offline = true };
        using var pipeline = new LocalPipeline(settings, _ => null);
        var events = new List<ExecutionEvent>();
        var runner = new StateMachineRunner(EmbeddedStateMachine.Load(), pipeline.Functions, new NoAlerts(), new StateMachineRunnerOptions { OnEvent = events.Add });

        var result = await runner.RunAsync(new System.Text.Json.Nodes.JsonObject(), "plan-count");

        Assert.True(result.Succeeded, result.Cause);
        // AWS bills a Standard transition per state entered, retries included (Step Functions pricing page).
        var transitions = events.Count(e => e.Type is ExecutionEventType.StateEntered or ExecutionEventType.StateRetried);
        Assert.Equal(RunFigures.StateTransitions.Value, transitions);

        var csvKey = result.Output!["transform"]!["csv_key"]!.GetValue<string>();
        var rows = result.Output!["transform"]!["rows"]!.GetValue<int>();
        var bytes = (await pipeline.Store.HeadAsync(csvKey, CancellationToken.None))!.Size;
        Assert.Equal(RunFigures.CsvBytesPerCoin.Value, Math.Ceiling((decimal)bytes / rows));
    }

    [Fact]
    public void The_templates_default_schedule_fits_a_demo_key_and_its_memory_is_the_plans()
    {
        var template = File.ReadAllText(RepoPaths.Path("infra", "template.yaml"));

        var every = TemplateDefault().Match(template.ReplaceLineEndings("\n"));
        Assert.True(every.Success, "infra/template.yaml has no ScheduleExpression default");
        var interval = every.Groups["unit"].Value switch
        {
            "minute" or "minutes" => TimeSpan.FromMinutes(int.Parse(every.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)),
            "hour" or "hours" => TimeSpan.FromHours(int.Parse(every.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)),
            var unit => throw new InvalidOperationException(unit),
        };
        var pages = int.Parse(TemplatePages().Match(template).Groups["pages"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(CostPlan.For(new PlanRequest(interval, pages, KeyTier.Demo, LoadMode.Copy, Express: false)).OverCallBudget);

        foreach (var (function, figure) in new[] { ("ExtractFunction", RunFigures.ExtractMemory), ("TransformFunction", RunFigures.TransformMemory), ("LoadFunction", RunFigures.LoadMemory) })
        {
            var memory = Regex.Match(template, $@"\n  {function}:\n(?:    .*\n|\s*\n)*?      MemorySize: (?<mb>\d+)");
            Assert.True(memory.Success, $"no MemorySize for {function}");
            Assert.Equal(figure.Value, decimal.Parse(memory.Groups["mb"].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Docs_cost_md_lists_every_price_and_figure_the_plan_uses()
    {
        var doc = File.ReadAllText(RepoPaths.Path("docs", "cost.md"));

        Assert.All(ListPrices.All, p => Assert.Contains($"| {p.Item} | {p.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)} | {p.Unit} | {p.Source} | {p.Checked} |", doc, StringComparison.Ordinal));
        Assert.All(RunFigures.All, f => Assert.Contains($"| {f.Item} | {f.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} | {f.Unit} | {f.Source} |", doc, StringComparison.Ordinal));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CryptoEtlApp.RunAsync(args, CliConsole.ToWriters(output, error));
        return (exit, output.ToString(), error.ToString());
    }

    private sealed class NoAlerts : IAlertSink
    {
        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken) => throw new InvalidOperationException($"unexpected alert: {alert.Message}");
    }

    [GeneratedRegex(@"ScheduleExpression:\n    Type: String\n    Default: rate\((?<n>\d+) (?<unit>\w+)\)")]
    private static partial Regex TemplateDefault();

    [GeneratedRegex(@"ScheduleInput:\n    Type: String\n    Default: '\{""pages"":(?<pages>\d+)\}'")]
    private static partial Regex TemplatePages();
}
