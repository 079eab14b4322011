using CryptoEtl.Core;

namespace CryptoEtl.DuckDb;

/// <summary>CryptoSchema in DuckDB's types.</summary>
public static class DuckDbSchema
{
    public static string TypeOf(ColumnType type) => type switch
    {
        ColumnType.Timestamp => "TIMESTAMPTZ",
        ColumnType.Text => "VARCHAR",
        ColumnType.Number => "DOUBLE",
        ColumnType.WholeNumber => "BIGINT",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string CreateTable { get; } =
        $"CREATE TABLE IF NOT EXISTS {CryptoSchema.TableName} (\n    "
        + string.Join(",\n    ", CryptoSchema.Columns.Select(c => $"{c.Name} {TypeOf(c.Type)}{(c.Name is "fetch_time" or "id" ? " NOT NULL" : "")}"))
        + ",\n    PRIMARY KEY (fetch_time, id)\n)";

    /// <summary>The struct read_csv takes: every column with its type, so nothing is guessed.</summary>
    public static string ReadCsvColumns { get; } =
        "{" + string.Join(", ", CryptoSchema.Columns.Select(c => $"'{c.Name}': '{TypeOf(c.Type)}'")) + "}";
}
