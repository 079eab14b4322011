using CryptoEtl.DuckDb;
using CryptoEtl.Testing;
using DuckDB.NET.Data;

namespace CryptoEtl.Report.Tests;

/// <summary>A coin row with the columns the report reads; everything else stays NULL.</summary>
public sealed record TestCoin(
    string Id,
    double? MarketCap,
    double? PriceChangePercentage24h,
    double? MarketCapChange24h = null,
    double? TotalVolume = null,
    double? Price = null,
    long? Rank = null,
    double? Dominance = null,
    double? GlobalDominance = null,
    string? Name = null,
    string? Symbol = null)
{
    public string DisplayName => Name ?? Id.ToUpperInvariant();

    public string DisplaySymbol => Symbol ?? Id[..Math.Min(3, Id.Length)];
}

/// <summary>A temp DuckDB warehouse filled with known rows through plain INSERTs.</summary>
public sealed class TestWarehouse : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string DatabasePath => _dir.Combine("warehouse.duckdb");

    public string Folder => _dir.FullPath;

    public async Task InsertAsync(DateTimeOffset fetchTime, string vsCurrency, IEnumerable<TestCoin> coins)
    {
        await using var connection = await DuckDbWarehouse.OpenAsync(DatabasePath, CancellationToken.None);
        foreach (var coin in coins)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO crypto_data (fetch_time, vs_currency, id, symbol, name, market_cap_rank, current_price, market_cap,
                    total_volume, price_change_percentage_24h, market_cap_change_24h, dominance_percentage, global_dominance_percentage)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """;
            object?[] values =
            [
                fetchTime.UtcDateTime, vsCurrency, coin.Id, coin.DisplaySymbol, coin.DisplayName, coin.Rank, coin.Price, coin.MarketCap,
                coin.TotalVolume, coin.PriceChangePercentage24h, coin.MarketCapChange24h, coin.Dominance, coin.GlobalDominance,
            ];
            foreach (var value in values)
            {
                command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
            }

            await command.ExecuteNonQueryAsync();
        }

        // The rows went in by INSERT, not by a load: index their snapshot as a load does.
        foreach (var statement in DuckDbSchema.IndexSnapshots("fetch_time = $1"))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.Parameters.Add(new DuckDBParameter(fetchTime.UtcDateTime));
            await command.ExecuteNonQueryAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
