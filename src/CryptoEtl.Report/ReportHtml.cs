using System.Globalization;
using System.Net;
using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Report;

/// <summary>
/// Renders <see cref="ReportData"/> as one self-contained HTML page: inline CSS and SVG, no
/// script, and a Content-Security-Policy that forbids loading anything, so the file opens the
/// same offline, from a mail attachment or a bucket. Every chart element carries its data in
/// class and data-* attributes so tests and the browser check can count what was drawn.
/// </summary>
public static class ReportHtml
{
    public const string CoinGeckoUrl = "https://www.coingecko.com";

    // Bitcoin orange and Ethereum blue first, then colours that stay apart for most eyes.
    private static readonly string[] Palette =
        ["#f7931a", "#627eea", "#14b8a6", "#eab308", "#ec4899", "#8b5cf6", "#22c55e", "#06b6d4", "#f97316", "#a16207"];

    private const string OthersColour = "#94a3b8";

    public static string Render(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var latest = data.Latest;
        var currency = latest.VsCurrency;
        var html = new StringBuilder(64 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="generator" content="CryptoEtl">
            <title>Crypto market · {Text(ReportFormat.Time(latest.FetchTime))}</title>
            <style>{Css}{TrendHtml.Css}</style>
            </head>
            <body>
            <main>
            <header class="page-head">
            <h1>Crypto market</h1>
            <p class="sub">Snapshot of <time datetime="{ObjectKeys.Iso(latest.FetchTime)}">{Text(ReportFormat.Time(latest.FetchTime))}</time> · {ReportFormat.Count(latest.Coins)} coins · prices in {Text(currency.ToUpperInvariant())}</p>
            </header>

            """);

        RenderHeadline(html, data);
        html.Append("<div class=\"grid\">\n");
        RenderTopBars(html, data.TopByMarketCap, currency);
        RenderDonut(html, data.DominanceShare);
        RenderHistogram(html, data.PriceChanges, data.Latest);
        RenderMovers(html, "gainers", "Biggest 24h gainers", data.Gainers, currency);
        RenderMovers(html, "losers", "Biggest 24h losers", data.Losers, currency);
        if (data.History.Count >= 2)
        {
            RenderLine(html, "history-market-cap", "Total market cap over time", data.History, t => t.TotalMarketCap, v => ReportFormat.Money(v, currency));
            // Global dominance where the snapshots have it; else the share of the coins loaded, said so.
            var global = data.History.Any(t => t.BtcDominance is not null);
            RenderLine(html, "history-btc-dominance", global ? "Bitcoin dominance over time" : "Bitcoin share of the coins loaded over time",
                data.History, t => global ? t.BtcDominance : t.BtcSnapshotDominance, v => ReportFormat.Percent(v));
        }

        TrendHtml.Render(html, data.Trends, currency);
        html.Append(CultureInfo.InvariantCulture, $"""
            </div>
            <footer>
            <p>Fetched <time datetime="{ObjectKeys.Iso(latest.FetchTime)}">{Text(ReportFormat.Time(latest.FetchTime))}</time> · vs currency {Text(currency.ToUpperInvariant())} · {ReportFormat.Count(data.History.Count)} snapshot{(data.History.Count == 1 ? "" : "s")} in the warehouse</p>
            <p><a href="{CoinGeckoUrl}" rel="noopener">{RawSnapshot.CoinGeckoAttribution}</a></p>
            </footer>
            </main>
            </body>
            </html>

            """);
        return html.ToString();
    }

    /// <summary>Dominance of CoinGecko's whole market; when /global was not usable, the share of the coins loaded.</summary>
    private static void DominanceStat(StringBuilder html, string id, string label, double? global, double? ofLoaded) =>
        Stat(html, id, label,
            ReportFormat.Percent(global ?? ofLoaded),
            global is null ? "of the coins loaded (no usable global total)" : $"{ReportFormat.Percent(ofLoaded)} of the coins loaded",
            null);

    private static void RenderHeadline(StringBuilder html, ReportData data)
    {
        var t = data.Latest;
        var s = data.Snapshot;
        var c = t.VsCurrency;
        html.Append("<section class=\"stats\" id=\"headline\">\n");
        Stat(html, "total-market-cap", "Market cap", ReportFormat.Money(t.TotalMarketCap, c), $"of the {ReportFormat.Count(t.Coins)} coins loaded", null);
        Stat(html, "volume-24h", "24h volume", ReportFormat.Money(t.TotalVolume, c), "traded in the last 24 hours", null);
        Stat(html, "market-cap-change-24h", "24h market cap change", ReportFormat.SignedPercent(s.MarketCapChangePercentage24h, 2), ReportFormat.SignedMoney(s.MarketCapChange24h, c), s.MarketCapChangePercentage24h);
        DominanceStat(html, "btc-dominance", "BTC dominance", t.BtcDominance, s.BtcDominance);
        DominanceStat(html, "eth-dominance", "ETH dominance", t.EthDominance, s.EthDominance);
        Stat(html, "coins-loaded", "Coins loaded", ReportFormat.Count(t.Coins), "rows in this snapshot", null);
        Stat(
            html,
            "rows-rejected",
            "Rows rejected",
            data.RowsRejected is { } rejected ? ReportFormat.Count(rejected) : ReportFormat.Missing,
            data.RowsRejected is null ? "no data-quality record"
                : data.QualityWarnings.Count == 0 ? "all quality checks passed"
                : $"{ReportFormat.Count(data.QualityWarnings.Count)} quality warning{(data.QualityWarnings.Count == 1 ? "" : "s")} below",
            null);
        html.Append("</section>\n");

        // Warnings people must see before trusting the numbers above.
        var warnings = data.QualityWarnings.ToList();
        if (t.BtcDominance > 100 || t.EthDominance > 100)
        {
            warnings.Add("Global dominance is above 100 %: CoinGecko's /global total market cap is smaller than these coins' market caps (the two responses are not from the same moment).");
        }

        if (warnings.Count > 0)
        {
            html.Append("<section class=\"notice\" id=\"quality-warnings\"><strong>Data-quality warnings</strong><ul>\n");
            foreach (var warning in warnings)
            {
                html.Append("<li>").Append(Text(warning)).Append("</li>\n");
            }

            html.Append("</ul></section>\n");
        }
    }

    private static void Stat(StringBuilder html, string id, string label, string value, string detail, double? trend)
    {
        html.Append(CultureInfo.InvariantCulture, $"""
            <div class="stat" id="{id}"><span class="label">{Text(label)}</span><span class="value{TrendClass(trend)}">{Text(value)}</span><span class="detail">{Text(detail)}</span></div>

            """);
    }

    private static void RenderTopBars(StringBuilder html, IReadOnlyList<CoinFigures> coins, string currency)
    {
        var max = coins.Select(c => c.MarketCap ?? 0).DefaultIfEmpty(0).Max();
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card tall" id="top-market-cap" data-points="{coins.Count}">
            <h2>Top {coins.Count} by market cap</h2>
            <table class="bars">
            <thead><tr><th class="num">#</th><th>Coin</th><th class="bar-cell"><span class="sr">Share of the largest</span></th><th class="num">Market cap</th><th class="num">24h</th></tr></thead>
            <tbody>

            """);
        foreach (var coin in coins)
        {
            var width = max > 0 ? 100 * (coin.MarketCap ?? 0) / max : 0;
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td class="num muted">{coin.Rank}</td><td>{CoinLabel(coin)}</td><td class="bar-cell"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="bar" data-coin="{Text(coin.Id)}" x="0" y="0" width="{Fixed(Math.Max(width, 0.4))}" height="10" rx="1"><title>{IsolatedText(coin.Name)}: {Text(ReportFormat.Money(coin.MarketCap, currency))}</title></rect></svg></td><td class="num">{Text(ReportFormat.Money(coin.MarketCap, currency))}</td><td class="num{TrendClass(coin.PriceChangePercentage24h)}">{Text(ReportFormat.SignedPercent(coin.PriceChangePercentage24h))}</td></tr>

                """);
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void RenderDonut(StringBuilder html, IReadOnlyList<DominanceSlice> slices)
    {
        // Each slice is a stroked circle whose dash covers its share: no arc maths, exact at any size.
        const double radius = 70;
        var circumference = 2 * Math.PI * radius;
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="dominance" data-points="{slices.Count}">
            <h2>Share of market cap</h2>
            <div class="donut-wrap">
            <svg class="donut" viewBox="0 0 200 200" role="img" aria-label="Market cap share of the ten largest coins">
            <g transform="rotate(-90 100 100)">

            """);
        var start = 0.0;
        for (var i = 0; i < slices.Count; i++)
        {
            var slice = slices[i];
            var length = circumference * slice.Percentage / 100;
            html.Append(CultureInfo.InvariantCulture, $"""
                <circle class="slice" data-coin="{Text(slice.Id ?? "others")}" cx="100" cy="100" r="{radius}" fill="none" stroke="{ColourOf(slices, i)}" stroke-width="36" stroke-dasharray="{Fixed(length)} {Fixed(circumference - length)}" stroke-dashoffset="{Fixed(-start)}"><title>{IsolatedText(slice.Label)}: {Text(ReportFormat.Percent(slice.Percentage))}</title></circle>

                """);
            start += length;
        }

        var top = slices.Where(s => s.Id is not null).Sum(s => s.Percentage);
        html.Append(CultureInfo.InvariantCulture, $"""
            </g>
            <text x="100" y="96" text-anchor="middle" class="donut-value">{Text(ReportFormat.Percent(top))}</text>
            <text x="100" y="116" text-anchor="middle" class="donut-label">top {slices.Count(s => s.Id is not null)}</text>
            </svg>
            <ul class="legend">

            """);
        for (var i = 0; i < slices.Count; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <li><span class="swatch" style="background:{ColourOf(slices, i)}"></span><bdi class="legend-name">{DataText(slices[i].Label)}</bdi><span class="num">{Text(ReportFormat.Percent(slices[i].Percentage))}</span></li>

                """);
        }

        html.Append("</ul>\n</div>\n<p class=\"note\">Share of the loaded coins' total market cap.</p>\n</section>\n");
    }

    private static void RenderHistogram(StringBuilder html, PriceChangeHistogram histogram, MarketTotals totals)
    {
        const double width = 480, height = 220, left = 34, right = 8, top = 18, bottom = 40;
        var bins = histogram.Bins;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var maxCount = Math.Max(1, bins.Select(b => b.Count).DefaultIfEmpty(0).Max());
        var binWidth = bins.Count == 0 ? 0 : plotWidth / bins.Count;
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="price-changes" data-points="{bins.Count}">
            <h2>24h price change across {ReportFormat.Count(histogram.Total)} coins</h2>
            <svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Histogram of 24 hour price changes">
            <line class="axis" x1="{left}" y1="{top + plotHeight}" x2="{width - right}" y2="{top + plotHeight}"/>
            <text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{maxCount}</text>
            <text class="tick" x="{left - 6}" y="{top + plotHeight}" text-anchor="end">0</text>

            """);
        for (var i = 0; i < bins.Count; i++)
        {
            var bin = bins[i];
            var barHeight = plotHeight * bin.Count / maxCount;
            var x = left + (i * binWidth);
            var y = top + plotHeight - barHeight;
            var falling = bin.To is { } to && to <= 0;
            html.Append(CultureInfo.InvariantCulture, $"""
                <rect class="bin {(falling ? "down" : "up")}" data-count="{bin.Count}" x="{Fixed(x + 1)}" y="{Fixed(y)}" width="{Fixed(Math.Max(binWidth - 2, 1))}" height="{Fixed(barHeight)}"><title>{Text(BinLabel(bin))}: {bin.Count} coin{(bin.Count == 1 ? "" : "s")}</title></rect>

                """);
            if (bin.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"""<text class="count" x="{Fixed(x + (binWidth / 2))}" y="{Fixed(y - 4)}" text-anchor="middle">{bin.Count}</text>""").Append('\n');
            }

            // Label every other closed lower edge so the axis stays readable at 22 bins.
            if (bin.From is { } from && Math.Round(from / histogram.BinWidth) % 2 == 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"""<text class="tick" x="{Fixed(x)}" y="{top + plotHeight + 16}" text-anchor="middle">{Text(AxisNumber(from))}</text>""").Append('\n');
            }
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <text class="axis-title" x="{left + (plotWidth / 2)}" y="{height - 4}" text-anchor="middle">24h price change, % (bins of {Text(AxisNumber(histogram.BinWidth))} points)</text>
            </svg>
            <p class="note"><span class="up">{ReportFormat.Count(totals.Gainers24h)} up</span> · <span class="down">{ReportFormat.Count(totals.Losers24h)} down</span> · median {Text(ReportFormat.SignedPercent(totals.MedianPriceChangePercentage24h, 2))}</p>
            </section>

            """);
    }

    private static void RenderMovers(StringBuilder html, string id, string title, IReadOnlyList<CoinFigures> coins, string currency)
    {
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="{id}" data-points="{coins.Count}">
            <h2>{Text(title)}</h2>
            <table class="movers">
            <thead><tr><th class="num">#</th><th>Coin</th><th class="num">Price</th><th class="num">24h</th></tr></thead>
            <tbody>

            """);
        foreach (var coin in coins)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr class="mover" data-coin="{Text(coin.Id)}"><td class="num muted">{coin.Rank}</td><td>{CoinLabel(coin)}</td><td class="num">{Text(ReportFormat.Price(coin.Price, currency))}</td><td class="num{TrendClass(coin.PriceChangePercentage24h)}">{Text(ReportFormat.SignedPercent(coin.PriceChangePercentage24h))}</td></tr>

                """);
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>A series this long or shorter gets a marker per snapshot; a longer one is a line (markers would merge into a band).</summary>
    public const int MaxMarkers = 60;

    /// <summary>A longer series is drawn through the low and high of each of this many time buckets: every swing shows, the page stays small.</summary>
    public const int MaxLineBuckets = 480;

    // The line charts' geometry, in SVG user units.
    private const double LineWidth = 480, LineHeight = 200, LineLeft = 12, LineRight = 12, LineTop = 26, LineBottom = 30;

    private static void RenderLine(StringBuilder html, string id, string title, IReadOnlyList<MarketTotals> history, Func<MarketTotals, double?> value, Func<double, string> format)
    {
        var points = history.Where(t => value(t) is not null).Select(t => (t.FetchTime, Value: value(t)!.Value)).ToList();
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="{id}" data-points="{points.Count}">
            <h2>{Text(title)}</h2>
            <svg class="chart" viewBox="0 0 {LineWidth} {LineHeight}" role="img" aria-label="{Text(title)}">

            """);
        if (points.Count > 0)
        {
            RenderPlot(html, points, format);
        }

        html.Append("</svg>\n</section>\n");
    }

    /// <summary>The axis, area, line and time ticks of a non-empty series, then its guides, markers and newest value.</summary>
    private static void RenderPlot(StringBuilder html, List<(DateTimeOffset FetchTime, double Value)> points, Func<double, string> format)
    {
        var t0 = points[0].FetchTime;
        var span = Math.Max(1, (points[^1].FetchTime - t0).TotalSeconds);
        var min = points.Min(p => p.Value);
        var max = points.Max(p => p.Value);
        // A flat series sits mid-height instead of dividing by zero.
        var pad = max > min ? (max - min) * 0.1 : Math.Max(Math.Abs(max) * 0.05, 1);
        var (low, high) = (min - pad, max + pad);
        var plotWidth = LineWidth - LineLeft - LineRight;
        var plotHeight = LineHeight - LineTop - LineBottom;
        double X(DateTimeOffset t) => LineLeft + (plotWidth * (t - t0).TotalSeconds / span);
        double Y(double v) => LineTop + (plotHeight * (high - v) / (high - low));
        var drawn = Thin(points, t0, span);
        var line = string.Join(' ', drawn.Select(p => Fixed(X(p.FetchTime)) + "," + Fixed(Y(p.Value))));
        var baseline = Fixed(LineTop + plotHeight);
        html.Append(CultureInfo.InvariantCulture, $"""
            <line class="axis" x1="{LineLeft}" y1="{baseline}" x2="{LineWidth - LineRight}" y2="{baseline}"/>
            <polygon class="area" points="{Fixed(X(drawn[0].FetchTime))},{baseline} {line} {Fixed(X(points[^1].FetchTime))},{baseline}"/>
            <polyline class="line" data-points="{points.Count}" points="{line}"/>

            """);
        foreach (var (tick, anchor) in AxisTicks(t0, points[^1].FetchTime))
        {
            html.Append(CultureInfo.InvariantCulture, $"""<text class="tick" x="{Fixed(X(tick))}" y="{LineHeight - 8}" text-anchor="{anchor}">{Text(ReportFormat.AxisDate(tick, points[^1].FetchTime - t0))}</text>""").Append('\n');
        }

        RenderMarks(html, points, (min, max), X, Y, format);
    }

    /// <summary>Guides at the series' high and low, a marker per point (or the last only), and the newest value.</summary>
    private static void RenderMarks(
        StringBuilder html, List<(DateTimeOffset FetchTime, double Value)> points, (double Min, double Max) range,
        Func<DateTimeOffset, double> x, Func<double, double> y, Func<double, string> format)
    {
        // Faint guides at the series' high and low, labelled on the left, the high above its
        // guide and the low below it; every label has a halo (CSS), so no line hides it.
        foreach (var (guide, label, dy) in range.Max > range.Min ? [(range.Max, "high", -4), (range.Min, "low", 12)] : Array.Empty<(double, string, int)>())
        {
            var guideY = Fixed(y(guide));
            html.Append(CultureInfo.InvariantCulture, $"""
                <line class="guide" x1="{LineLeft}" y1="{guideY}" x2="{LineWidth - LineRight}" y2="{guideY}"/>
                <text class="tick" x="{LineLeft}" y="{guideY}" dy="{dy}">{Text(label + " " + format(guide))}</text>

                """);
        }

        var (lastX, lastY) = (x(points[^1].FetchTime), y(points[^1].Value));
        foreach (var p in points.Count <= MaxMarkers ? points : [])
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <circle class="point" cx="{Fixed(x(p.FetchTime))}" cy="{Fixed(y(p.Value))}" r="3.5"><title>{Text(ReportFormat.Time(p.FetchTime))}: {Text(format(p.Value))}</title></circle>

                """);
        }

        if (points.Count > MaxMarkers)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <circle class="point last" cx="{Fixed(lastX)}" cy="{Fixed(lastY)}" r="3.5"><title>{Text(ReportFormat.Time(points[^1].FetchTime))}: {Text(format(points[^1].Value))}</title></circle>

                """);
        }

        // The newest value last, so it is drawn over the line and the markers.
        html.Append(CultureInfo.InvariantCulture, $"""
            <text class="latest" x="{LineWidth - LineRight}" y="{Fixed(lastY < LineTop + 18 ? lastY + 20 : lastY - 10)}" text-anchor="end">{Text(format(points[^1].Value))}</text>

            """);
    }

    /// <summary>
    /// The points a line is drawn through: all of a short series; of a long one, the first and last
    /// and, per time bucket, its lowest and highest in time order, so no spike is lost.
    /// </summary>
    private static List<(DateTimeOffset FetchTime, double Value)> Thin(List<(DateTimeOffset FetchTime, double Value)> points, DateTimeOffset t0, double span)
    {
        if (points.Count <= 2 * MaxLineBuckets)
        {
            return points;
        }

        var drawn = new List<(DateTimeOffset FetchTime, double Value)> { points[0] };
        foreach (var bucket in points.Skip(1).SkipLast(1).GroupBy(p => Math.Min(MaxLineBuckets - 1, (int)(MaxLineBuckets * (p.FetchTime - t0).TotalSeconds / span))))
        {
            var lowest = bucket.MinBy(p => p.Value);
            var highest = bucket.MaxBy(p => p.Value);
            drawn.AddRange(lowest.FetchTime <= highest.FetchTime ? [lowest, highest] : [highest, lowest]);
        }

        drawn.Add(points[^1]);
        return drawn;
    }

    /// <summary>Four dates along the time axis: both ends and two between.</summary>
    private static IEnumerable<(DateTimeOffset Time, string Anchor)> AxisTicks(DateTimeOffset first, DateTimeOffset last)
    {
        if (last == first)
        {
            yield return (first, "start");
            yield break;
        }

        yield return (first, "start");
        yield return (first + ((last - first) / 3), "middle");
        yield return (first + ((last - first) * 2 / 3), "middle");
        yield return (last, "end");
    }

    internal static string CoinLabel(CoinFigures coin) =>
        $"<bdi class=\"coin\">{DataText(coin.Name)}</bdi> <bdi class=\"symbol\">{DataText(coin.Symbol.ToUpperInvariant())}</bdi>";

    private static string BinLabel(HistogramBin bin) => (bin.From, bin.To) switch
    {
        (null, { } to) => $"below {AxisNumber(to)} %",
        ({ } from, null) => $"{AxisNumber(from)} % and above",
        ({ } from, { } to) => $"{AxisNumber(from)} % to {AxisNumber(to)} %",
        _ => "all",
    };

    private static string AxisNumber(double value) =>
        ReportFormat.Number(value, value == Math.Round(value) ? 0 : 1);

    private static string ColourOf(IReadOnlyList<DominanceSlice> slices, int index) =>
        slices[index].Id is null ? OthersColour : Palette[index % Palette.Length];

    internal static string TrendClass(double? change) => change switch
    {
        > 0 => " up",
        < 0 => " down",
        _ => "",
    };

    internal static string Fixed(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string Text(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// Text from the data, for inside a &lt;bdi&gt; (which isolates its direction from the page's):
    /// without the controls Transform now rejects, for rows loaded before it did, so a name can
    /// neither reorder the page nor close its own isolate.
    /// </summary>
    internal static string DataText(string text) => Text(ControlCharacters.Strip(text));

    /// <summary>Text from the data where no element can wrap it (an SVG title): in FSI ... PDI, the isolate as characters.</summary>
    internal static string IsolatedText(string text) => "\u2068" + DataText(text) + "\u2069";

    private const string Css = """

        :root{--bg:#f4f6fa;--card:#fff;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--up:#15803d;--down:#dc2626;--accent:#2563eb;--bar:#3b82f6;color-scheme:light dark}
        @media (prefers-color-scheme:dark){:root{--bg:#0b1120;--card:#111a2e;--ink:#e2e8f0;--muted:#94a3b8;--line:#1e293b;--up:#4ade80;--down:#f87171;--accent:#60a5fa;--bar:#60a5fa}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
        main{max-width:1200px;margin:0 auto;padding:24px 20px 32px}
        h1{font-size:1.75rem;margin:0;letter-spacing:-.01em}
        h2{font-size:1rem;margin:0 0 12px;font-weight:600}
        .sub,.note,footer{color:var(--muted)}
        .sub{margin:4px 0 20px}
        .note{font-size:.8rem;margin:10px 0 0}
        .stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:16px}
        .stat,.card{background:var(--card);border:1px solid var(--line);border-radius:12px}
        .stat{padding:14px 16px;display:flex;flex-direction:column;gap:2px;min-width:0}
        .stat .label{font-size:.78rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .stat .value{font-size:1.6rem;font-weight:650;font-variant-numeric:tabular-nums;white-space:nowrap}
        .stat .detail{font-size:.82rem;color:var(--muted)}
        .grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
        .card{padding:16px 18px;min-width:0}
        .tall{grid-row:span 2}
        table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
        th{font-size:.75rem;color:var(--muted);font-weight:500;text-align:left;padding:0 6px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
        td{padding:5px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
        tr:last-child td{border-bottom:0}
        .num{text-align:right}
        .muted,.symbol{color:var(--muted)}
        .symbol{font-size:.8em}
        .coin{display:inline-block;max-width:11em;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom}
        .bar-cell{width:38%}
        .bar-cell svg{display:block;width:100%;height:12px}
        .bar{fill:var(--bar)}
        .up{color:var(--up)}
        .down{color:var(--down)}
        .donut-wrap{display:flex;flex-wrap:wrap;align-items:center;gap:16px}
        .donut{width:min(220px,100%);flex:0 0 auto}
        .donut-value{font-size:22px;font-weight:650;fill:var(--ink)}
        .donut-label{font-size:12px;fill:var(--muted)}
        .legend{list-style:none;margin:0;padding:0;flex:1 1 180px;font-size:.88rem}
        .legend li{display:flex;align-items:center;gap:8px;padding:2px 0}
        .legend-name{flex:1}
        .swatch{width:10px;height:10px;border-radius:3px;flex:0 0 auto}
        .chart{display:block;width:100%;height:auto}
        .chart text{font-size:12px;fill:var(--muted)}
        .chart .count{font-size:10px;fill:var(--ink)}
        .axis{stroke:var(--line);stroke-width:1}
        .guide{stroke:var(--line);stroke-width:1;stroke-dasharray:3 3}
        .chart .latest{font-size:13px;font-weight:600;fill:var(--ink)}
        .chart text{paint-order:stroke;stroke:var(--card);stroke-width:3px;stroke-linejoin:round}
        .bin.up{fill:var(--up)}
        .bin.down{fill:var(--down)}
        .line{fill:none;stroke:var(--accent);stroke-width:2.5;stroke-linejoin:round}
        .area{fill:var(--accent);opacity:.12}
        .point{fill:var(--card);stroke:var(--accent);stroke-width:2}
        .notice{background:#fef3c7;color:#78350f;border:1px solid #fcd34d;border-radius:12px;padding:10px 16px;margin-bottom:16px;font-size:.88rem}
        .notice ul{margin:4px 0 0;padding-left:20px}
        @media (prefers-color-scheme:dark){.notice{background:#422006;color:#fde68a;border-color:#92400e}}
        footer{margin-top:24px;font-size:.85rem;text-align:center}
        footer p{margin:4px 0}
        footer a{color:var(--accent)}
        .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        @media (max-width:820px){.grid{grid-template-columns:minmax(0,1fr)}.tall{grid-row:auto}main{padding:16px 12px 24px}}
        @media (max-width:480px){.bar-cell,.symbol{display:none}.stat .value{font-size:1.3rem}h1{font-size:1.4rem}.card{padding:12px;overflow-x:auto}td,th{padding-left:3px;padding-right:3px}.coin{max-width:8.5em}.chart text{font-size:17px}.chart .count{font-size:13px}.chart .latest{font-size:17px}body{font-size:14px}}

        """;
}
