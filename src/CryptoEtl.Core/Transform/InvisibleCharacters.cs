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
    /// <summary>
    /// <paramref name="text"/> (valid UTF-8) without the characters above: a slice of it when only
    /// its ends change, else written into <paramref name="scratch"/> (at least text's length).
    /// </summary>
    public static ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> text, Span<byte> scratch)
    {
        while (!text.IsEmpty && Rune.DecodeFromUtf8(text, out var first, out var used) == OperationStatus.Done && IsTrimmed(first))
        {
            text = text[used..];
        }

        while (!text.IsEmpty && Rune.DecodeLastFromUtf8(text, out var last, out var used) == OperationStatus.Done && IsTrimmed(last))
        {
            text = text[..^used];
        }

        if (!HasInner(text))
        {
            return text;
        }

        var at = 0;
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf8(text, out var rune, out var used);
            if (!IsInner(rune))
            {
                text[..used].CopyTo(scratch[at..]);
                at += used;
            }

            text = text[used..];
        }

        return scratch[..at];
    }

    private static bool IsTrimmed(Rune rune) => Rune.IsWhiteSpace(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format;

    private static bool IsInner(Rune rune) => rune.Value is 0x200B or 0x2060 or 0xFEFF or 0x00AD;

    // U+200B, U+2060, U+FEFF are E2 80 8B, E2 81 A0, EF BB BF; U+00AD is C2 AD.
    private static bool HasInner(ReadOnlySpan<byte> text) =>
        text.IndexOf("\u200B"u8) >= 0 || text.IndexOf("\u2060"u8) >= 0 || text.IndexOf("\uFEFF"u8) >= 0 || text.IndexOf("\u00AD"u8) >= 0;
}
