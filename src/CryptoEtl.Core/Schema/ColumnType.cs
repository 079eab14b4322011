namespace CryptoEtl.Core;

/// <summary>The type of a column, mapped to each warehouse's own type.</summary>
public enum ColumnType
{
    Timestamp,
    Text,
    Number,
    WholeNumber,
}
