using System.Globalization;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>`--every` values: a whole number and a unit, 90s, 15m, 1h or 1d; shared by `plan` and `schedule`.</summary>
public static class Interval
{
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var unit = text.Length > 1 ? text[^1] : ' ';
        if (!long.TryParse(text.AsSpan(0, Math.Max(0, text.Length - 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            unit = ' ';
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(count),
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            'd' => TimeSpan.FromDays(count),
            _ => throw new PipelineException(ErrorNames.InvalidInput, $"--every {text}: give a whole number and a unit, e.g. 90s, 15m, 1h or 1d"),
        };
    }

    /// <summary>The shortest of the same forms, e.g. 15m for 15 minutes.</summary>
    public static string Format(TimeSpan interval) =>
        interval.TotalDays == Math.Floor(interval.TotalDays) ? $"{interval.TotalDays:0}d"
        : interval.TotalHours == Math.Floor(interval.TotalHours) ? $"{interval.TotalHours:0}h"
        : interval.TotalMinutes == Math.Floor(interval.TotalMinutes) ? $"{interval.TotalMinutes:0}m"
        : string.Create(CultureInfo.InvariantCulture, $"{interval.TotalSeconds:0}s");
}
