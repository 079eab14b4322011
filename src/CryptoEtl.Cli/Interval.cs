using System.Globalization;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>`--every` values: a whole number and a unit, 90s, 15m, 1h or 1d; shared by `plan` and `schedule`.</summary>
public static class Interval
{
    /// <summary>
    /// The longest interval: the month `plan` prices (a longer one would run less than once in
    /// it); a schedule's timer cannot wait past about 49.7 days anyway.
    /// </summary>
    public static readonly TimeSpan Longest = Budget.CostPlan.Month;

    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var unit = text.Length > 1 ? text[^1] : ' ';
        if (!long.TryParse(text.AsSpan(0, Math.Max(0, text.Length - 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            unit = ' ';
        }

        var seconds = unit switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            _ => throw new PipelineException(ErrorNames.InvalidInput, $"--every {text}: give a whole number and a unit, e.g. 90s, 15m, 1h or 1d"),
        };
        // Compared before multiplying: 9223372036854775807s must not overflow into a short interval.
        if (count > (long)Longest.TotalSeconds / seconds)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"--every {text}: at most {Format(Longest)} (the month `plan` prices)");
        }

        return TimeSpan.FromSeconds(count * seconds);
    }

    /// <summary>The shortest of the same forms, e.g. 15m for 15 minutes.</summary>
    public static string Format(TimeSpan interval) =>
        interval.TotalDays == Math.Floor(interval.TotalDays) ? $"{interval.TotalDays:0}d"
        : interval.TotalHours == Math.Floor(interval.TotalHours) ? $"{interval.TotalHours:0}h"
        : interval.TotalMinutes == Math.Floor(interval.TotalMinutes) ? $"{interval.TotalMinutes:0}m"
        : string.Create(CultureInfo.InvariantCulture, $"{interval.TotalSeconds:0}s");
}
