using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace CryptoEtl.Bench;

/// <summary>
/// The DuckDB peer: the same transform as one SQL statement (read_json_auto over the raw object,
/// unnest the pages, the same row rules, window sums for the metrics, COPY to CSV), in an
/// in-memory DuckDB. Prints the median time of the statement; process start is not included.
/// </summary>
public static class DuckDbSqlPeer
{
    public static async Task RunAsync(string rawPath, string csvPath, int runs)
    {
        var raw = rawPath.Replace("'", "''", StringComparison.Ordinal);
        var csv = csvPath.Replace("'", "''", StringComparison.Ordinal);
        var sql = $"""
            COPY (
              WITH pages AS (
                SELECT metadata, "global", unnest(pages) AS page
                FROM read_json_auto('{raw}', maximum_object_size = 1073741824)),
              elements AS (
                SELECT metadata, "global", unnest(page) AS c, generate_subscripts(page, 1) AS i, row_number() OVER () AS page_no FROM pages),
              coins AS (
                SELECT metadata, "global", c, row_number() OVER (ORDER BY page_no, i) AS ordinal FROM elements),
              valid AS (
                SELECT * FROM coins
                WHERE coalesce(c.id, '') <> '' AND coalesce(c.symbol, '') <> '' AND coalesce(c.name, '') <> ''
                  AND try_cast(c.current_price AS DOUBLE) >= 0
                  AND coalesce(try_cast(c.market_cap AS DOUBLE), 0) >= 0 AND coalesce(try_cast(c.total_volume AS DOUBLE), 0) >= 0
                QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY ordinal) = 1)
              SELECT metadata.fetch_time AS fetch_time, metadata.vs_currency AS vs_currency,
                c.id, c.symbol, c.name, c.current_price, c.market_cap, c.market_cap_rank, c.fully_diluted_valuation,
                c.total_volume, c.high_24h, c.low_24h, c.price_change_24h, c.price_change_percentage_24h,
                c.market_cap_change_24h, c.market_cap_change_percentage_24h, c.circulating_supply, c.total_supply,
                c.max_supply, c.ath, c.ath_change_percentage, c.ath_date, c.atl, c.atl_change_percentage, c.atl_date,
                c.roi.times AS roi_times, c.roi.currency AS roi_currency, c.roi.percentage AS roi_percentage, c.last_updated,
                c.market_cap / sum(c.market_cap) OVER () * 100 AS dominance_percentage,
                c.total_volume / sum(c.total_volume) OVER () * 100 AS volume_percentage,
                c.market_cap / "global".data.total_market_cap.usd * 100 AS global_dominance_percentage
              FROM valid ORDER BY ordinal
            ) TO '{csv}' (HEADER, DELIMITER ',')
            """;
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        var times = new List<double>();
        long rows = 0;
        for (var i = 0; i < runs; i++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var clock = Stopwatch.StartNew();
            rows = await command.ExecuteNonQueryAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"duckdb_sql rows={rows} runs={runs} median_ms={PipelineTiming.Median(times):F0} min_ms={times.Min():F0}"));
    }
}
