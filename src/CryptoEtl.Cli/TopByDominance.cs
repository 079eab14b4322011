using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.Snowflake;

namespace CryptoEtl.Cli;

/// <summary>`run`'s top 10 by market dominance: the same query for either warehouse; only how the fetch time is given differs.</summary>
public static class TopByDominance
{
    public sealed record Coin(string? Rank, string? Name, string? Symbol, double? Dominance);

    public static async Task<IReadOnlyList<Coin>> FromSnowflakeAsync(SnowflakeWarehouse snowflake, DateTimeOffset fetchTime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snowflake);
        // Snowflake's JSON result carries every value as a string.
        var result = await snowflake.QueryAsync(
            new SqlRequest(Sql(snowflake.Table, SnowflakeSql.BoundFetchTime), [SqlBinding.Text(ObjectKeys.Iso(fetchTime))]), ct);
        return [.. result.Rows.Select(r => new Coin(r[0], r[1], r[2],
            double.TryParse(r[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null))];
    }

    public static async Task<IReadOnlyList<Coin>> FromDuckDbAsync(string databasePath, DateTimeOffset fetchTime, CancellationToken ct)
    {
        var top = await DuckDbQuery.RunAsync(databasePath, Sql(CryptoSchema.TableName, $"TIMESTAMPTZ '{ObjectKeys.Iso(fetchTime)}'"), ct);
        return [.. top.Rows.Select(r => new Coin(QueryCommand.Format(r[0]), QueryCommand.Format(r[1]), QueryCommand.Format(r[2]), r[3] as double?))];
    }

    private static string Sql(string table, string fetchTime) =>
        $"""
        SELECT market_cap_rank, name, symbol, dominance_percentage
        FROM {table}
        WHERE fetch_time = {fetchTime} AND dominance_percentage IS NOT NULL
        ORDER BY dominance_percentage DESC LIMIT 10
        """;
}
