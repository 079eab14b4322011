namespace CryptoEtl.Core;

public sealed record Column(string Name, ColumnType Type)
{
    /// <summary>Warehouses (Snowflake, the views) use upper-case names; CSV and DuckDB lower-case.</summary>
    public string UpperName => Name.ToUpperInvariant();
}
