namespace CryptoEtl.DuckDb;

/// <summary>A query's column names and rows, values as DuckDB.NET returns them (null for NULL).</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);
