using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Transform;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Report.Tests;

/// <summary>
/// Issue 15, items 3 and 8, end to end: the recorded market with a few hostile coins edited in goes
/// through Extract, Transform and Load into DuckDB; the hostile coins are rejected by name and
/// every other coin is loaded (before, one of them failed Transform or Load for the whole snapshot).
/// </summary>
public sealed class HostileCoinLoadTests : IDisposable
{
    private static readonly DateTimeOffset FetchTime = new(2024, 12, 19, 10, 45, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] HostileMarket()
    {
        var page = Encoding.UTF8.GetString(RecordedRun.MarketPage);
        string Replace(string text, string from, string to)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            return text.Replace(from, to, StringComparison.Ordinal);
        }

        page = Replace(page, "\"name\": \"Tether\"", "\"name\": \"Teth\\ud800er\"");
        page = Replace(page, "\"name\": \"Dogecoin\"", "\"name\": \"Doge\\u0000coin\"");
        page = Replace(page, "\"name\": \"XRP\"", "\"name\": \"Good\u202eKCAB\"");
        // Over DuckDB's 2 MB CSV line limit on its own: before, this one name failed the whole Load.
        page = Replace(page, "\"name\": \"Solana\"", "\"name\": \"" + new string('S', 3 << 20) + "\"");
        return Encoding.UTF8.GetBytes(page);
    }

    [Fact]
    public async Task Hostile_coins_are_rejected_by_name_and_the_rest_of_the_market_loads()
    {
        var run = new RecordedRun(_dir.FullPath);

        var transform = await run.RunAsync(FetchTime, HostileMarket());

        Assert.Equal(4, transform.Rejected);
        var quality = System.Text.Json.JsonSerializer.Deserialize(
            await run.Store.ReadAllBytesAsync(ObjectKeys.Quality(FetchTime), CancellationToken.None),
            QualityJsonContext.Default.QualityReport)!;
        Assert.Equal(["ripple", "dogecoin"], quality.Rejected["control_character_name"].Coins.Select(c => c.Id));
        Assert.Equal(["tether"], quality.Rejected["invalid_encoding_name"].Coins.Select(c => c.Id));
        Assert.Equal(["solana"], quality.Rejected["too_long_name"].Coins.Select(c => c.Id));

        await using var connection = await DuckDbWarehouse.OpenAsync(run.DatabasePath, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(*) FILTER (WHERE id IN ('tether', 'dogecoin', 'ripple', 'solana')), max(length(name)) FROM crypto_data";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(transform.Rows, reader.GetInt64(0));
        Assert.Equal(246, reader.GetInt64(0));
        Assert.Equal(0, reader.GetInt64(1));
        Assert.True(reader.GetInt64(2) < 100);
    }
}
