using System.Globalization;

namespace CryptoEtl.Report;

/// <summary>Numbers and times the way people read them: $1.23 T, 45.6 %, +2.3 %, 19 Dec 2024, 10:45 UTC.</summary>
public static class ReportFormat
{
    public const string Missing = "–";
    public const char Minus = '−';

    private static readonly (double Scale, string Suffix)[] Units = [(1e12, " T"), (1e9, " B"), (1e6, " M"), (1e3, " K")];

    /// <summary>Three significant digits with a unit: 1.23 T, 45.6 B, 789 M, 12.3 K, 950.</summary>
    public static string Compact(double? value)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return Missing;
        }

        var rounded = RoundSignificant(Math.Abs(v), 3);
        var sign = v < 0 && rounded != 0 ? Minus.ToString() : "";
        foreach (var (scale, suffix) in Units)
        {
            // Rounding 999.6 B up gives 1e12 give or take an ulp; it belongs to the next unit.
            if (rounded >= scale * (1 - 1e-12))
            {
                return sign + ThreeDigits(rounded / scale) + suffix;
            }
        }

        return sign + ThreeDigits(rounded);
    }

    /// <summary>A compact amount in the vs currency: $1.23 T, −€45.6 B, 12.3 M CHF.</summary>
    public static string Money(double? value, string vsCurrency)
    {
        var text = Compact(value);
        return text == Missing ? text : WithCurrency(text, vsCurrency);
    }

    /// <summary>A unit price with the digits that matter: $96,123, $12.34, $0.0001234.</summary>
    public static string Price(double? value, string vsCurrency)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return Missing;
        }

        var abs = Math.Abs(v);
        var decimals = abs >= 1000 ? 0 : abs >= 1 || abs == 0 ? 2 : Math.Min(15, 3 - (int)Math.Floor(Math.Log10(abs)));
        var text = abs.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return WithCurrency((v < 0 ? Minus.ToString() : "") + text, vsCurrency);
    }

    /// <summary>A share: 45.6 %.</summary>
    public static string Percent(double? value, int decimals = 1) =>
        value is { } v && double.IsFinite(v) ? Number(v, decimals) + " %" : Missing;

    /// <summary>A change, always signed: +2.3 %, −1.2 %.</summary>
    public static string SignedPercent(double? value, int decimals = 1)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return Missing;
        }

        var text = Number(v, decimals);
        return (text.StartsWith(Minus) || IsZero(text) ? text : "+" + text) + " %";
    }

    /// <summary>A signed compact amount: +$1.2 B, −$66.0 B.</summary>
    public static string SignedMoney(double? value, string vsCurrency)
    {
        var text = Money(value, vsCurrency);
        return text == Missing || text.StartsWith(Minus) || value == 0 ? text : "+" + text;
    }

    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A date on a time axis spanning <paramref name="span"/>: the time of day within two days, the
    /// day up to four months, the month beyond; always with the year from a week up, so a history
    /// of years never reads as one.
    /// </summary>
    public static string AxisDate(DateTimeOffset time, TimeSpan span) =>
        time.ToUniversalTime().ToString(
            span <= TimeSpan.FromDays(2) ? "d MMM HH:mm"
            : span <= TimeSpan.FromDays(7) ? "d MMM"
            : span <= TimeSpan.FromDays(120) ? "d MMM yyyy"
            : "MMM yyyy",
            CultureInfo.InvariantCulture);

    /// <summary>A fixed-decimals number with a real minus sign and no "-0.0".</summary>
    public static string Number(double value, int decimals)
    {
        var text = value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (text.StartsWith('-'))
        {
            text = IsZero(text[1..]) ? text[1..] : Minus + text[1..];
        }

        return text;
    }

    public static string CurrencySymbol(string vsCurrency) => vsCurrency.ToUpperInvariant() switch
    {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "KRW" => "₩",
        "BTC" => "₿",
        _ => "",
    };

    private static string WithCurrency(string amount, string vsCurrency)
    {
        var symbol = CurrencySymbol(vsCurrency);
        if (symbol.Length == 0)
        {
            return amount + " " + vsCurrency.ToUpperInvariant();
        }

        return amount.StartsWith(Minus) ? Minus + symbol + amount[1..] : symbol + amount;
    }

    private static string ThreeDigits(double value) =>
        value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static double RoundSignificant(double value, int digits)
    {
        if (value == 0)
        {
            return 0;
        }

        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(value)));
        return Math.Round(value * scale) / scale;
    }

    private static bool IsZero(string text) => text.All(c => c is '0' or '.' or ',');
}
