using System.Buffers;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// RFC 4180 encoding of one field that is already UTF-8, as CsvHelper's writer does it (a field
/// holding the separator, a quote, CR or LF is enclosed in quotes, inner quotes doubled; nothing
/// else changes). Transform encodes each kept row once, while it parses, instead of replaying
/// every field through CsvHelper: that replay was 12 % of a transform's CPU, and JSON numbers
/// never need quoting, so only the eight text columns are looked at. CsvFieldEncodingTests holds the
/// bytes equal to CsvHelper's for the same fields.
/// </summary>
internal static class CsvFieldEncoding
{
    /// <summary>
    /// Printable ASCII without the separator and the quote: text made only of these is written as
    /// it is and needs no further check (<see cref="FieldValidation.CheckText"/> accepts it).
    /// </summary>
    private static readonly SearchValues<byte> Plain = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ',' and not '"').Select(b => (byte)b).ToArray());

    private static readonly SearchValues<byte> NeedsQuoting = SearchValues.Create(",\"\r\n"u8);

    /// <summary>True for printable ASCII text without a separator or quote, the common case: nothing to check or quote.</summary>
    public static bool IsPlain(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(Plain) < 0;

    private static bool NeedsQuotes(ReadOnlySpan<byte> text) => text.ContainsAny(NeedsQuoting);

    /// <summary>The bytes <paramref name="text"/> takes in quotes: two quotes more, and one per inner quote.</summary>
    public static int QuotedLength(ReadOnlySpan<byte> text) => text.Length + 2 + text.Count((byte)'"');

    /// <summary>Writes <paramref name="text"/> in quotes, inner quotes doubled; returns the bytes written.</summary>
    private static int WriteQuoted(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        destination[0] = (byte)'"';
        var at = 1;
        int quote;
        while ((quote = text.IndexOf((byte)'"')) >= 0)
        {
            text[..(quote + 1)].CopyTo(destination[at..]);
            at += quote + 1;
            destination[at++] = (byte)'"';
            text = text[(quote + 1)..];
        }

        text.CopyTo(destination[at..]);
        at += text.Length;
        destination[at++] = (byte)'"';
        return at;
    }

    /// <summary>Writes <paramref name="text"/>, quoted when it needs to be; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        if (!NeedsQuotes(text))
        {
            text.CopyTo(destination);
            return text.Length;
        }

        return WriteQuoted(destination, text);
    }
}
