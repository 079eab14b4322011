using CryptoEtl.Core.Transform;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// The CSV's name and symbol leave out what no one sees (InvisibleCharacters), so a filter on
/// "Stable" finds "\u200b\u200bStable"; the raw object keeps the bytes as sent, and other text
/// (CJK, emoji sequences, right-to-left names) is carried as it is.
/// </summary>
public sealed class TransformDisplayTextTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData("\\u200b\\u200bStable", "Stable")]
    [InlineData("Stable\\u200b", "Stable")]
    [InlineData("\\ufeffStable\\u2060", "Stable")]
    [InlineData("  Stable ", "Stable")]
    [InlineData("\\u00a0Stable\\u3000", "Stable")]
    [InlineData("Sta\\u200bble", "Stable")]
    [InlineData("Sta\\u00adble", "Stable")]
    [InlineData("\\u200eStable\\u200f", "Stable")]
    [InlineData("Big Coin", "Big Coin")]
    [InlineData("比特币 \\u200b", "比特币")]
    [InlineData("👨\\u200d💻 Dev", "👨\u200d💻 Dev")]
    [InlineData("\\u0645\\u06cc\\u200c\\u062e\\u0648\\u0627\\u0647\\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")]
    [InlineData("Say \\\"hi\\\",\\u200b all", "Say \"hi\", all")]
    public async Task Name_and_symbol_reach_the_csv_without_invisible_characters(string sent, string expected)
    {
        var raw = TransformHarness.Raw(Page(Coin("stable", ("name", $"\"{sent}\""), ("symbol", $"\"{sent}\""))));
        var result = await _harness.RunAsync(raw);

        Assert.Equal(expected, result.Row("stable")["name"]);
        Assert.Equal(expected, result.Row("stable")["symbol"]);
        // The raw object keeps what CoinGecko sent.
        var stored = await _harness.Store.ReadAllBytesAsync(TransformHarness.RawKey, CancellationToken.None);
        Assert.True(stored.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(sent)) >= 0);
    }

    [Theory]
    [InlineData("name", "\\u200b\\u200b")]
    [InlineData("name", "   ")]
    [InlineData("symbol", "\\ufeff")]
    public async Task Text_with_nothing_visible_is_no_name_and_rejects_the_coin(string column, string sent)
    {
        var result = await _harness.RunAsync(TransformHarness.Raw(Page(Coin("blank", (column, $"\"{sent}\"")), Coin("fine"))));

        Assert.Equal(["fine"], result.Rows.Select(r => r["id"]));
        Assert.Equal([new RejectedCoin(1, 0, "blank")], result.Quality.Rejected["missing_" + column].Coins);
    }
}
