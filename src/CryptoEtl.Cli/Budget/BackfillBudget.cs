using System.Globalization;
using CryptoEtl.Core.Backfill;
using CryptoEtl.CoinGecko;

namespace CryptoEtl.Cli.Budget;

/// <summary>
/// A backfill's CoinGecko calls against a key tier: one markets page per 250 coins to choose the
/// top K (counted even though a stored snapshot makes them unneeded), then one market_chart call
/// per coin. The minute limit only stretches it (the pacer spaces the calls); the month's
/// allowance, with a schedule's month beside it, is what may not fit, and so is a history longer
/// than the tier may see (public and Demo keys: 365 days, CoinGecko's error 10012).
/// </summary>
public sealed record BackfillBudget(int Days, int Coins, KeyTier Tier, long ScheduleCalls)
{
    public int Calls => BackfillExtract.SelectionCalls(Coins) + Coins;

    /// <summary>The least time the calls take at the tier's rate in any trailing minute.</summary>
    public TimeSpan LeastTime => TrailingWindowPacer.LeastTimeFor(Calls, Tier.CallsPerMinute);

    public bool Fits => Problem is null;

    /// <summary>Why it does not fit, as the one error line; null when it fits.</summary>
    public string? Problem
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            if (Coins is < 1 or > BackfillExtract.MaxTop)
            {
                return string.Create(c, $"a backfill takes 1 to {BackfillExtract.MaxTop} coins, got {Coins}");
            }

            var maxDays = Tier == KeyTier.Pro ? CoinGeckoClient.PaidHistoryDays : CoinGeckoClient.PublicHistoryDays;
            if (Days < 1 || Days > maxDays)
            {
                return string.Create(c, $"a backfill of {Days} days does not fit the {Tier.Name} tier: it may query history only within the past {maxDays} days (CoinGecko answers error 10012 beyond)");
            }

            if (Tier.MonthlyCalls is { } allowance && ScheduleCalls + Calls > allowance)
            {
                return string.Create(c, $"a backfill of {Coins} coins makes {Calls:N0} CoinGecko calls{(ScheduleCalls > 0 ? $", with the schedule's {ScheduleCalls:N0} a month {ScheduleCalls + Calls:N0}" : "")}; "
                    + $"the {Tier.Name} tier allows {allowance:N0} a month: backfill fewer coins{(ScheduleCalls > 0 ? ", run the schedule less often" : "")}, or use another tier");
            }

            return null;
        }
    }

    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var month = Tier.MonthlyCalls is { } allowance
            ? string.Create(c, $"; {ScheduleCalls + Calls:N0} of {allowance:N0} calls a month{(ScheduleCalls > 0 ? " with the schedule" : "")}")
            : "; no published monthly allowance";
        return string.Create(c, $"backfill of {Days} days for {Coins} coins: {Calls:N0} CoinGecko calls ({BackfillExtract.SelectionCalls(Coins)} to choose the coins, {Coins} histories), ")
            + string.Create(c, $"at least {LeastTime.TotalMinutes:0.#} minutes at the {Tier.Name} tier's {Tier.CallsPerMinute:0} a minute") + month;
    }
}
