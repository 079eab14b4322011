namespace CryptoEtl.Cli;

/// <summary>Where Load writes.</summary>
public enum WarehouseKind
{
    /// <summary>DATA_DIR/warehouse.duckdb, embedded.</summary>
    DuckDb,

    /// <summary>Snowflake through its SQL API, from the SNOWFLAKE_* settings.</summary>
    Snowflake,
}
