using System.Runtime.Intrinsics;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The one form every CoinGecko timestamp takes in the CSV: UTC, milliseconds, a Z
/// (2021-11-10T14:24:11.849Z, 24 bytes), the form CoinGecko sends almost always, so such text is
/// carried byte for byte. The other ISO 8601 forms CoinGecko has sent (an offset and no
/// fraction: huobi-token's atl_date 2023-03-10T05:05:00+08:00 in madjin/daily-crypto's
/// prices.json, 2023-06-13 to 2023-11-13) and the ones it may (no or 1 to 9 fractional digits, a
/// bare date, no zone, +HH:MM / +HHMM / +HH) are rewritten to that instant in that form: a bare
/// date is midnight, text without a zone is UTC (CoinGecko's API is UTC throughout), digits past
/// the milliseconds are dropped (towards the earlier instant). Anything else is unreadable and
/// the CSV carries null. Both warehouses then parse one form with one format
/// (SnowflakeSql.CoinGeckoTimestampFormat). No allocation: digits in, digits out.
/// </summary>
internal static class UtcTimestamp
{
    /// <summary>Bytes of the canonical form.</summary>
    public const int Length = 24;

    public enum Result : byte
    {
        /// <summary>Already canonical: the text itself goes into the CSV.</summary>
        Canonical,

        /// <summary>Another form of a valid instant: its canonical text was written.</summary>
        Rewritten,

        /// <summary>Not an ISO 8601 timestamp this reads, or not a valid instant.</summary>
        Unreadable,
    }

    /// <summary>
    /// Reads <paramref name="text"/>; when the result is <see cref="Result.Rewritten"/>,
    /// <paramref name="destination"/> (at least <see cref="Length"/> bytes) holds the canonical form.
    /// </summary>
    public static Result Canonicalize(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (IsCanonical(text))
        {
            return Result.Canonical;
        }

        if (!TryRead(text, out var utcTicks))
        {
            return Result.Unreadable;
        }

        Write(new DateTime(utcTicks, DateTimeKind.Utc), destination);
        return Result.Rewritten;
    }

    // The canonical form's shape: each byte minus the template's is at most the limit, 9 where a
    // digit goes, 0 where a separator does (unsigned: anything below the template wraps above 9).
    private static readonly Vector128<byte> Template = Vector128.Create("0000-00-00T00:00"u8);
    private static readonly Vector128<byte> Limits = Vector128.Create(new byte[] { 9, 9, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9 });
    private static readonly Vector128<byte> TailTemplate = Vector128.Create("00T00:00:00.000Z"u8);
    private static readonly Vector128<byte> TailLimits = Vector128.Create(new byte[] { 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 9, 0 });

    /// <summary>
    /// yyyy-MM-ddTHH:mm:ss.fffZ with every field in range: the common case, checked with two
    /// vector compares for the shape and a few integer ones for the ranges, without converting.
    /// </summary>
    private static bool IsCanonical(ReadOnlySpan<byte> t)
    {
        if (t.Length != Length
            || !Vector128.LessThanOrEqualAll(Vector128.Create(t[..16]) - Template, Limits)
            || !Vector128.LessThanOrEqualAll(Vector128.Create(t[8..]) - TailTemplate, TailLimits))
        {
            return false;
        }

        var month = Two(t, 5);
        var day = Two(t, 8);
        return month is >= 1 and <= 12 && day >= 1 && Two(t, 11) <= 23 && Two(t, 14) <= 59 && Two(t, 17) <= 59
            && (day <= 28 || day <= DateTime.DaysInMonth(Math.Max((Two(t, 0) * 100) + Two(t, 2), 1), month))
            && (t[0] | t[1] | t[2] | t[3]) != '0';
    }

    private static int Two(ReadOnlySpan<byte> t, int at) => ((t[at] - '0') * 10) + (t[at + 1] - '0');

    private static bool TryRead(ReadOnlySpan<byte> t, out long utcTicks)
    {
        utcTicks = 0;
        if (t.Length < 10 || t[4] != '-' || t[7] != '-'
            || !Digits(t, 0, 4, out var year) || year < 1 || !Digits(t, 5, 2, out var month) || month is < 1 or > 12
            || !Digits(t, 8, 2, out var day) || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        long fraction = 0;
        var offsetMinutes = 0;
        var at = 10;
        if (at < t.Length)
        {
            if (t[at] is not ((byte)'T' or (byte)'t') || t.Length < at + 6
                || !Digits(t, at + 1, 2, out hour) || hour > 23 || t[at + 3] != ':' || !Digits(t, at + 4, 2, out minute) || minute > 59)
            {
                return false;
            }

            at += 6;
            if (at < t.Length && t[at] == ':')
            {
                if (!Digits(t, at + 1, 2, out second) || second > 59)
                {
                    return false;
                }

                at += 3;
                if (at < t.Length && t[at] == '.' && !TryReadFraction(t, ref at, out fraction))
                {
                    return false;
                }
            }

            if (!TryReadZone(t[at..], out offsetMinutes))
            {
                return false;
            }
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fraction;
        // Milliseconds are what the canonical form keeps.
        local -= local % TimeSpan.TicksPerMillisecond;
        utcTicks = local - (offsetMinutes * TimeSpan.TicksPerMinute);
        return utcTicks >= DateTime.MinValue.Ticks && utcTicks <= DateTime.MaxValue.Ticks;
    }

    /// <summary>The fraction of a second after the '.' at <paramref name="at"/>, 1 to 9 digits, in ticks; <paramref name="at"/> moves past it.</summary>
    private static bool TryReadFraction(ReadOnlySpan<byte> t, ref int at, out long fraction)
    {
        fraction = 0;
        var digits = 0;
        at++;
        while (at < t.Length && t[at] - (uint)'0' <= 9)
        {
            // Ticks are 100 ns: seven digits; later ones are below what any warehouse keeps here.
            if (digits < 7)
            {
                fraction = (fraction * 10) + (t[at] - '0');
            }

            digits++;
            at++;
        }

        for (var d = Math.Min(digits, 7); d < 7; d++)
        {
            fraction *= 10;
        }

        return digits is >= 1 and <= 9;
    }

    /// <summary>Nothing (UTC), Z, or +HH:MM, +HHMM, +HH (or -); the offset in minutes east of UTC.</summary>
    private static bool TryReadZone(ReadOnlySpan<byte> zone, out int minutes)
    {
        minutes = 0;
        if (zone.IsEmpty)
        {
            return true;
        }

        if (zone.Length == 1)
        {
            return zone[0] is (byte)'Z' or (byte)'z';
        }

        if (zone[0] is not ((byte)'+' or (byte)'-') || !Digits(zone, 1, 2, out var hours) || hours > 23)
        {
            return false;
        }

        var offsetMinutes = 0;
        var valid = zone.Length switch
        {
            3 => true,
            5 => Digits(zone, 3, 2, out offsetMinutes),
            6 => zone[3] == ':' && Digits(zone, 4, 2, out offsetMinutes),
            _ => false,
        };
        if (!valid || offsetMinutes > 59)
        {
            return false;
        }

        minutes = ((hours * 60) + offsetMinutes) * (zone[0] == '-' ? -1 : 1);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - (uint)'0';
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    private static void Write(DateTime utc, Span<byte> d)
    {
        "0000-00-00T00:00:00.000Z"u8.CopyTo(d);
        Put(d, 0, utc.Year, 4);
        Put(d, 5, utc.Month, 2);
        Put(d, 8, utc.Day, 2);
        Put(d, 11, utc.Hour, 2);
        Put(d, 14, utc.Minute, 2);
        Put(d, 17, utc.Second, 2);
        Put(d, 20, utc.Millisecond, 3);
    }

    private static void Put(Span<byte> destination, int start, int value, int digits)
    {
        for (var i = start + digits - 1; i >= start; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
