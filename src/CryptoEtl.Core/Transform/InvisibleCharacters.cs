using System.Buffers;
using System.Globalization;
using System.Text;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// What the CSV's name and symbol leave out, so that a filter on "Stable" finds a coin CoinGecko
/// names "\u200b\u200bStable" (the raw object keeps the bytes as sent):
/// - at either end, white space and every invisible format character (Unicode category Cf:
///   zero-width space, joiners, word joiner, byte order mark, bidi marks, soft hyphen, ...);
/// - anywhere, the ones that never carry meaning inside a name: zero-width space U+200B, word
///   joiner U+2060, zero-width no-break space (BOM) U+FEFF, soft hyphen U+00AD.
/// Zero-width (non-)joiners and bidi marks inside a name stay: emoji sequences, Persian and Indic
/// names need them. Text that is only such characters is no name at all (missing_name).
/// </summary>
internal static class InvisibleCharacters
{
    /// <summary><paramref name="text"/> (valid UTF-8) without the characters above at either end: a slice of it.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        // Printable ASCII other than the space, the common first and last byte, is never trimmed.
        while (!text.IsEmpty && text[0] is not (> 0x20 and < 0x7F)
            && Rune.DecodeFromUtf8(text, out var first, out var used) == OperationStatus.Done && IsTrimmed(first))
        {
            text = text[used..];
        }

        while (!text.IsEmpty && text[^1] is not (> 0x20 and < 0x7F)
            && Rune.DecodeLastFromUtf8(text, out var last, out var used) == OperationStatus.Done && IsTrimmed(last))
        {
            text = text[..^used];
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> holds one of the characters removed anywhere.</summary>
    public static bool HasInner(ReadOnlySpan<byte> text) =>
        // Their UTF-8 starts with E2 (U+200B, U+2060), EF (U+FEFF) or C2 (U+00AD): most text has none of these.
        text.IndexOfAny((byte)0xE2, (byte)0xEF, (byte)0xC2) >= 0
        && (text.IndexOf("\u200B"u8) >= 0 || text.IndexOf("\u2060"u8) >= 0 || text.IndexOf("\uFEFF"u8) >= 0 || text.IndexOf("\u00AD"u8) >= 0);

    /// <summary>Writes <paramref name="text"/> (valid UTF-8) without the characters removed anywhere; returns the bytes written.</summary>
    public static int RemoveInner(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var at = 0;
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf8(text, out var rune, out var used);
            if (!IsInner(rune))
            {
                text[..used].CopyTo(destination[at..]);
                at += used;
            }

            text = text[used..];
        }

        return at;
    }

    private static bool IsTrimmed(Rune rune) => Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format;

    private static bool IsInner(Rune rune) => rune.Value is 0x200B or 0x2060 or 0xFEFF or 0x00AD;
}
