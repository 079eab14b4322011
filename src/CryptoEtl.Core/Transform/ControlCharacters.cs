using System.Text;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// The characters no coin text may hold: C0 controls other than tab, line feed and carriage
/// return (which CSV quoting carries, and names do contain), DEL, C1 controls, and the bidi
/// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder the text around
/// them on a page ("Good\u202eKCAB" shows as "GoodBACK"). The bidi marks U+200E, U+200F and
/// U+061C are ordinary in right-to-left names and are allowed. Transform rejects a coin holding
/// one; the report strips them from rows loaded before that rule.
/// </summary>
public static class ControlCharacters
{
    public static bool IsRejected(int codePoint) => codePoint switch
    {
        '\t' or '\n' or '\r' => false,
        < 0x20 => true,
        >= 0x7F and <= 0x9F => true,
        >= 0x202A and <= 0x202E => true,
        >= 0x2066 and <= 0x2069 => true,
        _ => false,
    };

    /// <summary><paramref name="text"/> without the rejected characters (a lone surrogate becomes U+FFFD).</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = true;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsRejected(rune.Value) || rune == Rune.ReplacementChar)
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsRejected(rune.Value))
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }
}
