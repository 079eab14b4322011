using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core.Transform;
using CryptoEtl.Testing;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// Objects larger than the reader's buffer: coins cut by buffer boundaries, a coin larger than
/// the buffer, and the synthetic market checked against an independent JsonDocument reading.
/// </summary>
public sealed class TransformStreamingTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Synthetic_market_of_5000_coins_matches_an_independent_reading()
    {
        using var buffer = new MemoryStream();
        SyntheticMarket.Write(buffer, 5000, seed: 7);
        var raw = buffer.ToArray();
        Assert.True(raw.Length > 2 * (1 << 18), "the object must span several reader buffers");

        var result = await _harness.RunAsync(raw);

        // Expected rows: coins with id, symbol, name and a non-negative price, first sighting of each id.
        using var document = JsonDocument.Parse(raw);
        var seen = new HashSet<string>();
        var expected = new List<JsonElement>();
        var rejected = 0;
        var duplicates = 0;
        foreach (var coin in document.RootElement.GetProperty("pages").EnumerateArray().SelectMany(p => p.EnumerateArray()))
        {
            var price = coin.GetProperty("current_price");
            if (price.ValueKind != JsonValueKind.Number || price.GetDouble() < 0)
            {
                rejected++;
            }
            else if (!seen.Add(coin.GetProperty("id").GetString()!))
            {
                duplicates++;
            }
            else
            {
                expected.Add(coin);
            }
        }

        Assert.True(rejected > 0 && duplicates > 0, "the synthetic market has rejects and duplicates");
        Assert.Equal(expected.Count, result.Output.Rows);
        Assert.Equal(rejected, result.Output.Rejected);
        Assert.Equal(duplicates, result.Quality.DuplicatesDropped);
        Assert.Equal(expected.Select(c => c.GetProperty("id").GetString()), result.Rows.Select(r => r["id"]));

        var capSum = expected.Sum(c => c.GetProperty("market_cap").GetDecimal());
        for (var i = 0; i < expected.Count; i++)
        {
            var coin = expected[i];
            var row = result.Rows[i];
            Assert.Equal(coin.GetProperty("name").GetString(), row["name"]);
            Assert.Equal(coin.GetProperty("current_price").GetRawText(), row["current_price"]);
            Assert.Equal(RawOrNull(coin.GetProperty("max_supply")), row["max_supply"]);
            Assert.Equal(RawOrNull(coin.GetProperty("high_24h")), row["high_24h"]);
            Assert.Equal(RawOrNull(coin.GetProperty("market_cap_rank")), row["market_cap_rank"]);
            var dominance = double.Parse(row["dominance_percentage"]!, CultureInfo.InvariantCulture);
            Assert.Equal((double)(coin.GetProperty("market_cap").GetDecimal() / capSum * 100), dominance, 1e-12);
        }

        Assert.True(result.Quality.Checks.Single(c => c.Name == "dominance_sums_to_100").Passed);
    }

    [Fact]
    public async Task Rows_spilled_to_a_temporary_file_give_the_same_CSV()
    {
        using var buffer = new MemoryStream();
        SyntheticMarket.Write(buffer, 6000, seed: 11);
        var inMemory = await _harness.RunAsync(buffer.ToArray());
        var spilled = await _harness.RunAsync(buffer.ToArray(), spoolMemory: 0);

        Assert.True(inMemory.CsvBytes.Length > 2 * (1 << 20), "the rows must fill several spool chunks");
        Assert.Equal(inMemory.CsvBytes, spilled.CsvBytes);
        Assert.Equal(
            JsonSerializer.Serialize(inMemory.Quality with { CsvKey = spilled.Quality.CsvKey }, QualityJsonContext.Default.QualityReport),
            JsonSerializer.Serialize(spilled.Quality, QualityJsonContext.Default.QualityReport));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "cryptoetl-rows-*.tmp"));
    }

    [Fact]
    public async Task A_coin_larger_than_the_read_buffer_is_read_whole()
    {
        // Sparkline-style payload of about 1 MB inside one coin, four times the initial buffer.
        var sparkline = "{\"price\":[" + string.Join(',', Enumerable.Range(0, 60_000).Select(i => (100000.5 + i).ToString(CultureInfo.InvariantCulture))) + "]}";
        var big = $$"""{"id":"big","symbol":"big","name":"Big","current_price":2,"sparkline_in_7d":{{sparkline}},"market_cap":10}""";
        var small = """{"id":"small","symbol":"s","name":"Small","current_price":1,"market_cap":30}""";
        var result = await _harness.RunAsync(TransformHarness.Raw("[" + small + "," + big + "," + small.Replace("small", "after", StringComparison.Ordinal) + "]"));

        Assert.Equal(["small", "big", "after"], result.Rows.Select(r => r["id"]));
        Assert.Equal("2", result.Row("big")["current_price"]);
        Assert.Equal("10", result.Row("big")["market_cap"]);
        Assert.Equal(Format(10.0 / 70 * 100), result.Row("big")["dominance_percentage"]);
    }

    [Fact]
    public void Synthetic_market_is_deterministic_for_a_seed()
    {
        static string Hash(int seed)
        {
            using var buffer = new MemoryStream();
            SyntheticMarket.Write(buffer, 600, seed);
            return Convert.ToHexString(SHA256.HashData(buffer.ToArray()));
        }

        Assert.Equal(Hash(3), Hash(3));
        Assert.NotEqual(Hash(3), Hash(4));
    }

    [Fact]
    public void Synthetic_market_writes_CoinGecko_style_numbers()
    {
        using var buffer = new MemoryStream();
        SyntheticMarket.Write(buffer, 2000);
        var text = Encoding.UTF8.GetString(buffer.ToArray());

        Assert.Contains("e-", text, StringComparison.Ordinal);
        Assert.Contains("e+", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\dE[+-]\d", text);
        using var document = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(8, document.RootElement.GetProperty("pages").GetArrayLength());
    }

    private static string? RawOrNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetRawText();

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
