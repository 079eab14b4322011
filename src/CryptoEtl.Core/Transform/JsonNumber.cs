using System.Globalization;

namespace CryptoEtl.Core.Transform;

/// <summary>The values of JSON number text, as the reader proved it (no '+', no leading zeros, no spaces).</summary>
internal static class JsonNumber
{
    // 10^0..10^22 are exact doubles; a whole number below 2^53 divided by one of them is rounded
    // once, so it is the correctly rounded value double.Parse gives (Clinger's fast path).
    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    // 15 digits stay below 2^53 (9.007e15), so the digits make an exact whole number.
    private const int MaxFastDigits = 15;

    /// <summary>
    /// A JSON number's value; false for text a double cannot hold finitely. Plain decimals of up
    /// to 15 digits (most market caps and volumes) take the fast path; the rest double.TryParse.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is > 0 and <= MaxFastDigits + 1)
        {
            ulong whole = 0;
            var point = -1;
            var fast = true;
            for (var i = 0; i < digits.Length; i++)
            {
                var c = digits[i];
                if ((uint)(c - '0') <= 9)
                {
                    whole = (whole * 10) + (uint)(c - '0');
                }
                else if (c == '.' && point < 0)
                {
                    point = i;
                }
                else
                {
                    fast = false;
                    break;
                }
            }

            var fractionDigits = point < 0 ? 0 : digits.Length - point - 1;
            if (fast && digits.Length - (point < 0 ? 0 : 1) <= MaxFastDigits)
            {
                value = whole / ExactPowersOfTen[fractionDigits];
                value = negative ? -value : value;
                return true;
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>
    /// Whether a JSON number (at most <see cref="FieldValidation.MaxNumberBytes"/> long) is a finite
    /// double: without an exponent it always is (64 digits are far from 1.8e308), so only
    /// exponent forms are parsed.
    /// </summary>
    public static bool IsFinite(ReadOnlySpan<byte> number) =>
        number.IndexOfAny((byte)'e', (byte)'E') < 0 || TryParse(number, out _);

    /// <summary>Negative, not merely signed: "-0" and "-0.0" are zero.</summary>
    public static bool IsNegative(ReadOnlySpan<byte> number) =>
        number.Length > 1 && number[0] == (byte)'-' && TryParse(number, out var value) && value < 0;
}
