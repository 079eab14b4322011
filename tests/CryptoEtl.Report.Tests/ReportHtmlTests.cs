using System.Text.RegularExpressions;

namespace CryptoEtl.Report.Tests;

public sealed class ReportHtmlTests
{
    private static readonly DateTimeOffset Fetched = new(2024, 12, 19, 10, 45, 0, TimeSpan.Zero);

    private static CoinFigures Coin(int i, string? name = null) => new()
    {
        Id = $"coin-{i}",
        Symbol = $"c{i}",
        Name = name ?? $"Coin {i}",
        Rank = i,
        Price = 10.0 / i,
        MarketCap = 1e12 / i,
        PriceChangePercentage24h = 5 - i,
    };

    private static MarketTotals Totals(DateTimeOffset at, double marketCap, double btc) => new()
    {
        FetchTime = at,
        VsCurrency = "usd",
        Coins = 250,
        TotalMarketCap = marketCap,
        TotalVolume = 471e9,
        BtcDominance = btc,
        EthDominance = 12.1,
        Gainers24h = 29,
        Losers24h = 221,
        MedianPriceChangePercentage24h = -5.4,
    };

    private static ReportData Data(int historyPoints = 3, string firstName = "Bitcoin", IReadOnlyList<string>? warnings = null)
    {
        var history = Enumerable.Range(0, historyPoints).Select(i => Totals(Fetched.AddHours(i - historyPoints + 1), 3.5e12 + (i * 1e11), 54 + i)).ToList();
        return new ReportData
        {
            Latest = history[^1],
            Snapshot = new SnapshotFigures { MarketCapChange24h = -107e9, MarketCapChangePercentage24h = -2.84, BtcDominance = 55.4, EthDominance = 12.2 },
            RowsRejected = 2,
            QualityWarnings = warnings ?? [],
            TopByMarketCap = [.. Enumerable.Range(1, 20).Select(i => Coin(i, i == 1 ? firstName : null))],
            DominanceShare = [.. Enumerable.Range(1, 10).Select(i => new DominanceSlice($"coin-{i}", $"C{i}", 5)), new DominanceSlice(null, "Others", 50)],
            Gainers = [.. Enumerable.Range(1, 10).Select(i => Coin(i))],
            Losers = [.. Enumerable.Range(11, 7).Select(i => Coin(i))],
            PriceChanges = new PriceChangeHistogram(2, [new HistogramBin(null, -20, 3), new HistogramBin(-20, -18, 0), new HistogramBin(-2, 0, 40), new HistogramBin(0, 2, 12), new HistogramBin(20, null, 1)]),
            History = history,
        };
    }

    private static int Count(string html, string pattern) => Regex.Count(html, pattern);

    [Fact]
    public void Coin_names_are_isolated_and_cannot_reorder_the_page()
    {
        // A row loaded before Transform rejected bidi controls: "Good\u202eKCAB" would show as "GoodBACK"
        // and reverse the figures after it.
        var html = ReportHtml.Render(Data(firstName: "Good\u202eKCAB\u2069"));

        Assert.DoesNotContain('\u202e', html);
        Assert.Contains("<bdi class=\"coin\">GoodKCAB</bdi> <bdi class=\"symbol\">C1</bdi>", html, StringComparison.Ordinal);
        Assert.Contains("<title>\u2068GoodKCAB\u2069: ", html, StringComparison.Ordinal);
        Assert.Equal(20 + 10 + 7, Count(html, "<bdi class=\"coin\">"));
        Assert.Equal(11, Count(html, "<bdi class=\"legend-name\">"));
        Assert.DoesNotContain("<span class=\"coin\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_chart_has_its_data_points_in_the_dom()
    {
        var html = ReportHtml.Render(Data());

        Assert.Equal(20, Count(html, "<rect class=\"bar\" data-coin=\"coin-\\d+\""));
        Assert.Equal(11, Count(html, "<circle class=\"slice\""));
        Assert.Contains("<circle class=\"slice\" data-coin=\"others\"", html, StringComparison.Ordinal);
        Assert.Equal(5, Count(html, "<rect class=\"bin (up|down)\" data-count=\"\\d+\""));
        Assert.Equal(["3", "0", "40", "12", "1"], Regex.Matches(html, "class=\"bin [a-z]+\" data-count=\"(\\d+)\"").Select(m => m.Groups[1].Value));
        Assert.Equal(10 + 7, Count(html, "<tr class=\"mover\""));
        Assert.Equal(6, Count(html, "<circle class=\"point\""));
        foreach (var (id, points) in new[] { ("top-market-cap", 20), ("dominance", 11), ("price-changes", 5), ("gainers", 10), ("losers", 7), ("history-market-cap", 3), ("history-btc-dominance", 3) })
        {
            Assert.Contains($"id=\"{id}\" data-points=\"{points}\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bars_are_scaled_to_the_largest_coin()
    {
        var html = ReportHtml.Render(Data());

        Assert.Contains("data-coin=\"coin-1\" x=\"0\" y=\"0\" width=\"100\"", html, StringComparison.Ordinal);
        Assert.Contains("data-coin=\"coin-4\" x=\"0\" y=\"0\" width=\"25\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Donut_slices_cover_the_circle_once()
    {
        var html = ReportHtml.Render(Data());

        var dashes = Regex.Matches(html, "class=\"slice\"[^>]*stroke-dasharray=\"([\\d.]+) ").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2 * Math.PI * 70, dashes.Sum(), 0.1);
        Assert.Equal(dashes[10], 10 * dashes[0], 0.1);
    }

    [Fact]
    public void A_single_snapshot_draws_no_time_series()
    {
        var html = ReportHtml.Render(Data(historyPoints: 1));

        Assert.DoesNotContain("history-market-cap", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"point\"", html, StringComparison.Ordinal);
        Assert.Contains("1 snapshot in the warehouse", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Coin_names_from_the_api_are_escaped()
    {
        const string hostile = "<script>alert(\"x\")</script> & 'Co'";

        var html = ReportHtml.Render(Data(firstName: hostile, warnings: ["<b>bad</b>"]));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bad", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;", html, StringComparison.Ordinal);
        Assert.Contains("<li>&lt;b&gt;bad&lt;/b&gt;</li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Headline_numbers_are_formatted_for_people()
    {
        var html = ReportHtml.Render(Data());

        Assert.Matches("id=\"total-market-cap\".*?\\$3\\.70 T", html);
        Assert.Matches("id=\"volume-24h\".*?\\$471 B", html);
        Assert.Matches("id=\"market-cap-change-24h\".*?class=\"value down\">−2\\.84 %.*?−\\$107 B", html);
        Assert.Matches("id=\"btc-dominance\".*?56\\.0 %.*?55\\.4 % of the coins loaded", html);
        Assert.Matches("id=\"eth-dominance\".*?12\\.1 %.*?12\\.2 % of the coins loaded", html);
        Assert.Matches("id=\"coins-loaded\".*?>250<", html);
        Assert.Matches("id=\"rows-rejected\".*?>2<", html);
    }

    [Fact]
    public void The_page_is_self_contained_and_credits_coingecko()
    {
        var html = ReportHtml.Render(Data());

        Assert.Contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<(script|link|img|iframe)\\b", html);
        Assert.DoesNotMatch("\\bsrc=", html);
        // The only link goes to CoinGecko, as its attribution terms ask.
        Assert.Equal(["https://www.coingecko.com"], Regex.Matches(html, "href=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains(">Data provided by CoinGecko</a>", html, StringComparison.Ordinal);
        Assert.Contains("Fetched <time datetime=\"2024-12-19T10:45:00Z\">19 Dec 2024, 10:45 UTC</time> · vs currency USD", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Quality_warnings_and_impossible_dominance_are_called_out()
    {
        var data = Data(warnings: ["dominance_percentage sums to 99.2"]);
        data = data with { Latest = data.Latest with { BtcDominance = 230.1 } };

        var html = ReportHtml.Render(data);

        Assert.Contains("<li>dominance_percentage sums to 99.2</li>", html, StringComparison.Ordinal);
        Assert.Contains("Global dominance is above 100 %", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"quality-warnings\"", ReportHtml.Render(Data()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_file_is_written_whole_and_replaced_in_place()
    {
        using var dir = new CryptoEtl.Testing.TempDirectory();
        var path = dir.Combine("out", "report.html");

        await ReportFile.WriteAsync(path, Data(historyPoints: 1), CancellationToken.None);
        var written = await ReportFile.WriteAsync(path, Data(), CancellationToken.None);

        Assert.Equal(path, written);
        Assert.Equal(ReportHtml.Render(Data()), await File.ReadAllTextAsync(path));
        Assert.Equal(["report.html"], Directory.GetFiles(dir.Combine("out")).Select(Path.GetFileName));
    }
}
