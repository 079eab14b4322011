using System.Text;
using System.Text.Unicode;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The per-field checks that keep one hostile coin from blocking a whole snapshot at Load: bounded
/// length, valid UTF-8, no control characters. A field that fails them rejects its coin.
/// </summary>
internal static class FieldValidation
{
    /// <summary>
    /// The longest text field, in UTF-8 bytes. DuckDB's read_csv refuses a line over its default
    /// max_line_size of 2,097,152 bytes; the eight text columns at this bound, every byte a quote
    /// that CSV doubles, make 1 MiB, so a row of bounded fields always loads. Real CoinGecko text
    /// is far shorter (names under 100 bytes, image URLs under 200).
    /// </summary>
    public const int MaxTextBytes = 64 * 1024;

    /// <summary>
    /// The longest number text. A double needs at most 24 characters in shortest form
    /// ("-2.2250738585072014E-308"); serializers that print more digits stay well under this.
    /// </summary>
    public const int MaxNumberBytes = 64;

    /// <summary>Checks unescaped string bytes.</summary>
    public static FieldProblem CheckText(ReadOnlySpan<byte> text)
    {
        if (text.Length > MaxTextBytes)
        {
            return FieldProblem.TooLong;
        }

        // Printable ASCII, the common case, needs no decoding.
        var first = text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (first < 0)
        {
            return FieldProblem.None;
        }

        var rest = text[first..];
        if (!Utf8.IsValid(rest))
        {
            return FieldProblem.InvalidEncoding;
        }

        while (!rest.IsEmpty)
        {
            Rune.DecodeFromUtf8(rest, out var rune, out var consumed);
            if (ControlCharacters.IsRejected(rune.Value))
            {
                return FieldProblem.ControlCharacter;
            }

            rest = rest[consumed..];
        }

        return FieldProblem.None;
    }
}
