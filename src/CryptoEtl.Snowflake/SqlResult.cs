using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>The first result partition of a finished statement (all our statements return a few rows).</summary>
public sealed class SqlResult
{
    internal SqlResult(string statementHandle, IReadOnlyList<string> statementHandles, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        StatementHandle = statementHandle;
        StatementHandles = statementHandles;
        Columns = columns;
        Rows = rows;
    }

    public string StatementHandle { get; }

    /// <summary>A multi-statement request's handles, one per statement, in order; empty otherwise.</summary>
    public IReadOnlyList<string> StatementHandles { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Values as Snowflake's jsonv2 format sends them: text, or null for SQL NULL.</summary>
    public IReadOnlyList<IReadOnlyList<string?>> Rows { get; }

    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new PipelineException(ErrorNames.WarehouseError,
            $"Snowflake result of statement {StatementHandle} has no column {name} (columns: {string.Join(", ", Columns)})");
    }
}
