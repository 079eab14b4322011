using CryptoEtl.Cli.Budget;
using CryptoEtl.Composition;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>`plan --backfill-days N --backfill-top K [--every ...]`: a backfill's calls against the tier, beside a schedule's month when one is given.</summary>
public static class PlanBackfillCommand
{
    public static async Task<int> RunAsync(CliConsole console, string? every, int pages, KeyTier tier, int days, int top, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(console);
        var scheduleCalls = every is null
            ? 0
            : CostPlan.For(new PlanRequest(Interval.Parse(every), pages, tier, LoadMode.Copy, Express: false)).CoinGeckoCalls;
        var budget = new BackfillBudget(days, top, tier, scheduleCalls);
        await console.Out.WriteLineAsync(budget.Describe().AsMemory(), ct);
        if (budget.Problem is { } problem)
        {
            await console.Error.WriteLineAsync($"cryptoetl: {ErrorNames.InvalidInput}: {problem}".AsMemory(), ct);
            return 1;
        }

        return 0;
    }
}
