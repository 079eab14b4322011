namespace CryptoEtl.Testing.Snowflake;

/// <summary>One statement of a request: its text, and where it starts (line from 1, position from 0).</summary>
public sealed record SqlStatement(string Text, int Line, int Position);
