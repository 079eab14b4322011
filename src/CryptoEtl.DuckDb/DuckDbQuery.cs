using System.Data.Common;
using DuckDB.NET.Data;

namespace CryptoEtl.DuckDb;

/// <summary>Ad-hoc SQL over the local warehouse (the CLI's `query`, the report's figures).</summary>
public static class DuckDbQuery
{
    /// <summary>Runs on the database file opened read-only: a query never writes (see <see cref="DuckDbWarehouse.OpenReadOnlyAsync"/>).</summary>
    public static async Task<QueryResult> RunAsync(string databasePath, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await DuckDbWarehouse.OpenReadOnlyAsync(databasePath, cancellationToken);
        return await RunAsync(connection, sql, cancellationToken);
    }

    /// <summary>Runs on an open connection, so several queries can share one transaction.</summary>
    public static async Task<QueryResult> RunAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        var rows = new List<object?[]>();
        var columns = await StreamAsync(connection, sql, row => rows.Add(row), cancellationToken);
        return new QueryResult(columns, rows);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and hands each row to <paramref name="onRow"/> as DuckDB produces
    /// it, holding none: DuckDB's streaming mode computes the result in chunks as they are read
    /// (its default materializes the whole result first), so `select * from` a year of history
    /// starts printing at once in constant memory. Returns the column names (known before the
    /// first row: <paramref name="onColumns"/> gets them then).
    /// </summary>
    public static async Task<IReadOnlyList<string>> StreamAsync(
        DbConnection connection,
        string sql,
        Action<object?[]> onRow,
        CancellationToken cancellationToken,
        Action<IReadOnlyList<string>>? onColumns = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(onRow);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The user's own SQL against the user's own local file, by design.
        command.CommandText = sql;
#pragma warning restore CA2100
        if (command is DuckDBCommand duck)
        {
            duck.UseStreamingMode = true;
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        onColumns?.Invoke(columns);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
            }

            onRow(row);
        }

        return columns;
    }
}
