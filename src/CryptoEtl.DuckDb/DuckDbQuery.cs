using System.Data.Common;

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
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The user's own SQL against the user's own local file, by design.
        command.CommandText = sql;
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new QueryResult(columns, rows);
    }
}
