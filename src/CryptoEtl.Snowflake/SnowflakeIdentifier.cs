using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// A database, schema, warehouse or role name as a setting gives it, read by Snowflake's
/// identifier rules (docs.snowflake.com/en/sql-reference/identifiers-syntax): unquoted, it is
/// stored and shown in upper case; in double quotes, exactly as written ("" for a quote). The SQL
/// API's request body must carry the stored name, case-sensitively, as SHOW returns it
/// (docs.snowflake.com/en/developer-guide/sql-api/submitting-requests), while SQL text takes the
/// identifier as written.
/// </summary>
public sealed partial record SnowflakeIdentifier(string Name, string Sql)
{
    /// <summary>Reads a setting's value; anything that is neither form is a Configuration error naming the setting.</summary>
    public static SnowflakeIdentifier Parse(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Unquoted().IsMatch(text))
        {
            var name = text.ToUpperInvariant();
            return new SnowflakeIdentifier(name, name);
        }

        if (Quoted().IsMatch(text))
        {
            return new SnowflakeIdentifier(text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal), text);
        }

        throw new PipelineException(ErrorNames.Configuration,
            $"Snowflake {setting} \"{text}\" is not an identifier: letters, digits, _ and $ (starting with a letter or _), or a name in double quotes");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$]{0,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex Unquoted();

    // Printable characters only; a quote inside must be doubled, so the name cannot end the identifier early.
    [GeneratedRegex("""^"(?:[^"\p{C}]|""){1,255}"$""", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();
}
