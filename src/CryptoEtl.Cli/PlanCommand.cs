using System.CommandLine;
using System.Globalization;
using CryptoEtl.Cli.Budget;
using CryptoEtl.CoinGecko;
using CryptoEtl.Composition;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>
/// `cryptoetl plan`: a month of a schedule before it is deployed: CoinGecko calls against the key
/// tier's allowance, Step Functions, Lambda, S3 requests, CloudWatch Logs and Snowflake usage, and
/// dollars at list prices; pipe mode counts the Load state's waits for Snowpipe.
/// Exits 1 when the calls exceed the tier's monthly allowance.
/// </summary>
public static class PlanCommand
{
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var every = new Option<string>("--every") { Description = "How often the schedule runs: 5m, 15m, 1h, ...", Required = true };
        var pages = new Option<int>("--pages") { Description = $"Pages of {ICoinMarketSource.MaxPerPage} coins per run (default {PageCount.DefaultPages})", DefaultValueFactory = _ => PageCount.DefaultPages };
        var tier = new Option<string>("--tier") { Description = "CoinGecko key tier: keyless, demo or pro (default demo)", DefaultValueFactory = _ => "demo" };
        tier.AcceptOnlyFromAmong([.. KeyTier.All.Select(t => t.Name)]);
        var load = new Option<string>("--load") { Description = "Snowflake load: copy (a warehouse resume per run) or pipe (Snowpipe, per GB)", DefaultValueFactory = _ => "copy" };
        load.AcceptOnlyFromAmong("copy", "pipe");
        var express = new Option<bool>("--express") { Description = "An Express workflow (requests and duration) instead of Standard (state transitions)" };
        var command = new Command("plan", "A month of a schedule: CoinGecko calls against the key tier's allowance, AWS and Snowflake usage, dollars at list prices (docs/cost.md)")
        {
            every, pages, tier, load, express,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var plan = CostPlan.For(new PlanRequest(
                Interval.Parse(parsed.GetValue(every)!),
                parsed.GetValue(pages),
                KeyTier.Parse(parsed.GetValue(tier)!),
                LoadModeSetting.Parse(parsed.GetValue(load)),
                parsed.GetValue(express)));
            await console.Out.WriteAsync(Render(plan).AsMemory(), ct);
            if (plan.OverCallBudget)
            {
                await console.Error.WriteLineAsync(OverBudgetLine(plan).AsMemory(), ct);
                return 1;
            }

            if (OverlapLine(plan) is { } overlap)
            {
                await console.Error.WriteLineAsync(overlap.AsMemory(), ct);
                return 1;
            }

            return 0;
        });
        return command;
    }

    /// <summary>The one line `plan` ends with when the schedule does not fit the tier.</summary>
    public static string OverBudgetLine(CostPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var r = plan.Request;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"cryptoetl: {ErrorNames.InvalidInput}: every {Interval.Format(r.Every)} with {r.Pages} page{(r.Pages == 1 ? "" : "s")} makes {plan.CoinGeckoCalls:N0} CoinGecko calls in a {CostPlan.Month.TotalDays:0}-day month; "
            + $"the {r.Tier.Name} tier allows {r.Tier.MonthlyCalls:N0}: run every {Interval.Format(plan.ShortestFittingEvery!.Value)} or less often, fetch fewer pages, or use another tier");
    }

    // Pipe mode's waits for Snowpipe, which the transitions and invocations include.
    private static string Pending(CostPlan plan, string lead) => plan.PendingRetriesPerRun == 0 ? ""
        : string.Create(CultureInfo.InvariantCulture, $" ({lead.Trim()} {plan.PendingRetriesPerRun} Snowpipe waits a run)");

    /// <summary>
    /// The line `plan` ends with when one run's CoinGecko calls take longer, at the tier's rate,
    /// than the interval: runs would overlap (`schedule` skips such ticks); null when they fit.
    /// </summary>
    public static string? OverlapLine(CostPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var r = plan.Request;
        var least = TrailingWindowPacer.LeastTimeFor(plan.CallsPerRun, r.Tier.CallsPerMinute);
        return least <= r.Every
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"cryptoetl: {ErrorNames.InvalidInput}: each run makes {plan.CallsPerRun} CoinGecko calls, which take at least {least.TotalMinutes:0.#} minutes at the {r.Tier.Name} tier's {r.Tier.CallsPerMinute:0} a minute: "
                + $"longer than every {Interval.Format(r.Every)}, so runs would overlap; run less often, fetch fewer pages, or use another tier");
    }

    public static string Render(CostPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var r = plan.Request;
        var c = CultureInfo.InvariantCulture;
        var lines = new List<(string Item, string Usage, decimal? Dollars)>
        {
            ("runs", string.Create(c, $"{plan.Runs:N0} (every {Interval.Format(r.Every)}, {plan.CallsPerRun} CoinGecko calls each)"), null),
            ("CoinGecko calls", r.Tier.MonthlyCalls is { } allowance
                ? string.Create(c, $"{plan.CoinGeckoCalls:N0} of {allowance:N0} a month ({r.Tier.Name}, {r.Tier.CallsPerMinute:0}/min): {100m * plan.CoinGeckoCalls / allowance:0.#} %")
                : string.Create(c, $"{plan.CoinGeckoCalls:N0} ({r.Tier.Name}, {r.Tier.CallsPerMinute:0}/min; no published monthly allowance)"),
                r.Tier.Subscription is null ? null : plan.CoinGeckoDollars),
            r.Express
                ? ("Step Functions Express", string.Create(c, $"{plan.Runs:N0} requests, {plan.ExpressGigabyteSeconds:N1} GB-s"), plan.StepFunctionsDollars)
                : ("Step Functions Standard", string.Create(c, $"{plan.StateTransitions:N0} state transitions{Pending(plan, " incl. ")}"), plan.StepFunctionsDollars),
            ("Lambda", string.Create(c, $"{plan.LambdaRequests:N0} requests, {plan.LambdaGigabyteSeconds:N1} GB-s"), plan.LambdaDollars),
            ("S3 requests", string.Create(c, $"{plan.S3PutRequests:N0} PUT, {plan.S3GetRequests:N0} GET/HEAD"), plan.S3Dollars),
            ("CloudWatch Logs", string.Create(c, $"{plan.LogGigabytes:N3} GB ingested"), plan.LogDollars),
            r.Load == LoadMode.Copy
                ? ("Snowflake (COPY)", string.Create(c, $"{plan.SnowflakeCredits:N2} credits: X-Small resumed per run, {plan.WarehouseSecondsPerRun:0} s billed each"), plan.SnowflakeDollars)
                : ("Snowflake (Snowpipe)", string.Create(c, $"{plan.SnowflakeCredits:N4} credits: {plan.SnowpipeGigabytes:N3} GB of CSV"), plan.SnowflakeDollars),
        };
        var text = new System.Text.StringBuilder();
        text.Append(c, $"A {CostPlan.Month.TotalDays:0}-day month at list prices (docs/cost.md; no free tiers):\n");
        foreach (var (item, usage, dollars) in lines)
        {
            text.Append(string.Create(c, $"  {item,-24} {usage,-64} {(dollars is { } d ? "$" + d.ToString("N2", c) : ""),10}").TrimEnd()).Append('\n');
        }

        text.Append(c, $"  {"total",-24} {"",-64} {"$" + plan.TotalDollars.ToString("N2", c),10}\n");
        return text.ToString();
    }
}
