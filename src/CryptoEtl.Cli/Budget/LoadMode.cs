namespace CryptoEtl.Cli.Budget;

/// <summary>How Load gets rows into Snowflake: a COPY on a resumed warehouse, or Snowpipe (issue 16 part 1).</summary>
public enum LoadMode
{
    Copy,
    Pipe,
}
