namespace CryptoEtl.Core;

/// <summary>
/// Reads the warehouse back, beside <see cref="IWarehouse"/> that loads it: what `run` shows after
/// its load. The same query for either warehouse (<see cref="TopByDominanceSql"/>); only how the
/// fetch time is given differs.
/// </summary>
public interface IWarehouseReader
{
    /// <summary>The coins of one snapshot with the largest market dominance, largest first, at most <paramref name="count"/>.</summary>
    Task<IReadOnlyList<DominantCoin>> TopByDominanceAsync(DateTimeOffset fetchTime, int count, CancellationToken cancellationToken);

    /// <param name="table">The table to read.</param>
    /// <param name="fetchTime">The fetch time as the warehouse's SQL takes it (a literal or a bound parameter).</param>
    /// <param name="count">The most rows.</param>
    public static string TopByDominanceSql(string table, string fetchTime, int count) =>
        $"""
        SELECT market_cap_rank, name, symbol, dominance_percentage
        FROM {table}
        WHERE fetch_time = {fetchTime} AND dominance_percentage IS NOT NULL
        ORDER BY dominance_percentage DESC LIMIT {count}
        """;
}
