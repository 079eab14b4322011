namespace CryptoEtl.Testing.Snowflake;

/// <summary>
/// Splits a request's statement text the way Snowflake counts it for MULTI_STATEMENT_COUNT: at
/// each ';' outside string literals ('...' with '' or \' inside, $$...$$), quoted identifiers
/// ("..." with "" inside) and comments (-- or // to the end of the line, /* ... */), per
/// docs.snowflake.com/en/sql-reference/data-types-text ("String constants") and
/// docs.snowflake.com/en/sql-reference/identifiers-syntax. Parts holding only blanks and comments
/// do not count (a trailing ';' adds no statement).
/// </summary>
public static class SqlStatements
{
    /// <summary>The statements, each with the line and position (both as Snowflake reports them) where it starts.</summary>
    public static IReadOnlyList<SqlStatement> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var statements = new List<SqlStatement>();
        var first = -1;
        var i = 0;
        var meaningful = false;
        void Add(int end)
        {
            var lineStart = first == 0 ? 0 : text.LastIndexOf('\n', first - 1) + 1;
            var line = 1 + text.AsSpan(0, first).Count('\n');
            statements.Add(new SqlStatement(text[first..end].Trim(), line, first - lineStart));
        }

        while (i < text.Length)
        {
            if (!meaningful && first < 0 && !char.IsWhiteSpace(text[i]) && !IsComment(text, i))
            {
                first = i;
            }

            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '\'' || c == '"')
            {
                i = SkipQuoted(text, i, c);
                meaningful = true;
            }
            else if (c == '$' && next == '$')
            {
                var end = text.IndexOf("$$", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
                meaningful = true;
            }
            else if ((c == '-' && next == '-') || (c == '/' && next == '/'))
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else if (c == '/' && next == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (c == ';')
            {
                if (meaningful)
                {
                    Add(i);
                }

                i++;
                first = -1;
                meaningful = false;
            }
            else
            {
                meaningful |= !char.IsWhiteSpace(c);
                i++;
            }
        }

        if (meaningful)
        {
            Add(text.Length);
        }

        return statements;
    }

    private static bool IsComment(string text, int i) =>
        i + 1 < text.Length && ((text[i] == '-' && text[i + 1] == '-') || (text[i] == '/' && (text[i + 1] == '/' || text[i + 1] == '*')));

    // Past the closing quote; a doubled quote (or, in a string, a backslash) escapes one.
    private static int SkipQuoted(string text, int open, char quote)
    {
        var i = open + 1;
        while (i < text.Length)
        {
            if (quote == '\'' && text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }
}
