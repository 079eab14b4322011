using System.Globalization;
using System.Text.RegularExpressions;

namespace CryptoEtl.Snowflake;

/// <summary>
/// Which statement of a multi-statement request failed, and why, read from the error Snowflake
/// wraps it in. Snowflake runs such a request in its SYSTEM$MULTISTMT procedure and answers a
/// failure with that procedure's own error, code 100132 (SQL state P0000), not the inner
/// statement's code; the message names the statement by its first 30 characters ("...") and its
/// line, then carries the inner error's message. Recorded in aidanmelen/terraform-provider-snowsql#92
/// and airbytehq/PyAirbyte#188:
/// <code>JavaScript execution error: Uncaught Execution of multiple statements failed on statement "GRANT INSERT ON FUTURE TABLES ..." (at line 2, position 0).
/// SQL access control error:
/// Insufficient privileges to operate on schema 'TEST' in SYSTEM$MULTISTMT at '    throw `Execution ...` position 4
/// stackstrace:
/// SYSTEM$MULTISTMT line: 10</code>
/// </summary>
public sealed partial record MultiStatementFailure(string StatementStart, int Line, int Position, string InnerMessage)
{
    /// <summary>The code of Snowflake's multi-statement wrapper error ("JavaScript execution error").</summary>
    public const string WrapperCode = "100132";

    /// <summary>The wrapper's failure read from a Snowflake error; null when the error is not the wrapper.</summary>
    public static MultiStatementFailure? TryParse(string? code, string? message)
    {
        if (code != WrapperCode || message is null)
        {
            return null;
        }

        var match = Wrapper().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var start = match.Groups["start"].Value;
        return new MultiStatementFailure(
            start.EndsWith("...", StringComparison.Ordinal) ? start[..^3] : start,
            int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["position"].Value, CultureInfo.InvariantCulture),
            match.Groups["inner"].Value.Trim());
    }

    /// <summary>
    /// The index of the failed statement among <paramref name="statements"/> as they were joined
    /// with ";\n" into the request: the one starting on <see cref="Line"/> whose text begins with
    /// <see cref="StatementStart"/>; -1 when none does.
    /// </summary>
    public int IndexIn(IReadOnlyList<string> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var line = 1;
        for (var i = 0; i < statements.Count; i++)
        {
            if (line == Line && statements[i].StartsWith(StatementStart, StringComparison.Ordinal))
            {
                return i;
            }

            line += statements[i].Count(c => c == '\n') + 1;
        }

        return -1;
    }

    [GeneratedRegex("""Execution of multiple statements failed on statement "(?<start>.*?)" \(at line (?<line>\d+), position (?<position>\d+)\)\.\n(?<inner>.*?)(?: in SYSTEM\$MULTISTMT at |$)""",
        RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Wrapper();
}
