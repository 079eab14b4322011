namespace CryptoEtl.Snowflake;

/// <summary>
/// One request: a statement, or several separated by ';' (then <paramref name="StatementCount"/>
/// must say how many). Snowflake does not accept bindings in a multi-statement request.
/// </summary>
public sealed record SqlRequest(string Statement, IReadOnlyList<SqlBinding>? Bindings = null, int StatementCount = 1);
