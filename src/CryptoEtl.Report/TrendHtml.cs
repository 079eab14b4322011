using System.Globalization;
using System.Text;
using CryptoEtl.Core;

namespace CryptoEtl.Report;

/// <summary>
/// The report's trends section: a sparkline per top coin and the 24 h movers from our own
/// snapshots. Inline SVG and the page's own CSS only, every text escaped, like the rest of the page.
/// </summary>
public static class TrendHtml
{
    public static void Render(StringBuilder html, TrendFigures? trends, string currency)
    {
        ArgumentNullException.ThrowIfNull(html);
        if (trends is null)
        {
            return;
        }

        RenderSparklines(html, trends, currency);
        RenderMovers(html, trends, currency);
    }

    private static void RenderSparklines(StringBuilder html, TrendFigures trends, string currency)
    {
        var times = trends.Sparklines.SelectMany(l => l.Points).Select(p => p.Time).ToList();
        var dates = times.Count == 0 ? ""
            : $"{ReportFormat.AxisDate(times.Min(), TimeSpan.FromDays(30))} – {ReportFormat.AxisDate(times.Max(), TimeSpan.FromDays(30))}";
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="trend-sparklines" data-points="{trends.Sparklines.Count}">
            <h2>Top {trends.Sparklines.Count} over the last {TrendReport.SparklineDays} days</h2>
            <table class="sparklines">
            <thead><tr><th>Coin</th><th class="spark-dates">{ReportHtml.Text(dates)}<span class="sr"> price over time</span></th><th class="num">Price</th><th class="num">24h</th><th class="num">7d</th></tr></thead>
            <tbody>

            """);
        foreach (var line in trends.Sparklines)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr data-coin="{ReportHtml.Text(line.Coin.Id)}"><td>{ReportHtml.CoinLabel(line.Coin)}</td><td class="spark-cell">{Sparkline(line)}</td><td class="num">{ReportHtml.Text(ReportFormat.Price(line.Points.Count > 0 ? line.Points[^1].Price : null, currency))}</td><td class="num{ReportHtml.TrendClass(line.Change24h)}">{ReportHtml.Text(ReportFormat.SignedPercent(line.Change24h))}</td><td class="num{ReportHtml.TrendClass(line.Change7d)}">{ReportHtml.Text(ReportFormat.SignedPercent(line.Change7d))}</td></tr>

                """);
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody>
            </table>
            <p class="note" id="trend-history">History from {ReportHtml.Text(ReportFormat.AxisDate(trends.From, TimeSpan.FromDays(30)))} to {ReportHtml.Text(ReportFormat.AxisDate(trends.To, TimeSpan.FromDays(30)))}{(trends.BackfilledUntil is { } until ? ReportHtml.Text($"; until {ReportFormat.AxisDate(until, TimeSpan.FromDays(30))} backfilled from CoinGecko's history, one row per coin and UTC day or hour, shares among the backfilled coins") : "")}.</p>
            <p class="note">Each line spans at least {ReportHtml.Text(ReportFormat.Number(100 * MinimumSparkRange, 0))} % of the coin's price, so a stablecoin's wobble stays flat. Changes from our own snapshots: against the newest one at most 1 h before 24 h and 7 d earlier; {ReportHtml.Text(ReportFormat.Missing)} where there is none.</p>
            </section>

            """);
    }

    /// <summary>The least a sparkline's height stands for, as a share of the coin's latest price.</summary>
    public const double MinimumSparkRange = 0.04;

    /// <summary>
    /// A 100x24 polyline scaled to the coin's own low and high, but never to less than
    /// <see cref="MinimumSparkRange"/> of its price (centred on its own range): a 0.04 % wobble
    /// must not fill the cell like a crash.
    /// </summary>
    private static string Sparkline(CoinSparkline line)
    {
        const double width = 100, height = 24, pad = 2;
        var points = line.Points;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"spark\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{ReportHtml.IsolatedText(line.Coin.Name)} price\" data-points=\"{points.Count}\">");
        if (points.Count > 0)
        {
            var t0 = points[0].Time;
            var span = Math.Max(1, (points[^1].Time - t0).TotalSeconds);
            var (min, max) = (points.Min(p => p.Price), points.Max(p => p.Price));
            var floor = MinimumSparkRange * Math.Abs(points[^1].Price);
            if (max - min < floor)
            {
                var middle = (max + min) / 2;
                (min, max) = (middle - (floor / 2), middle + (floor / 2));
            }

            var range = max > min ? max - min : 1;
            var xy = points.Select(p => (
                X: points.Count == 1 ? width / 2 : width * (p.Time - t0).TotalSeconds / span,
                Y: max > min ? pad + ((height - (2 * pad)) * (max - p.Price) / range) : height / 2)).ToList();
            var trend = ReportHtml.TrendClass(points[^1].Price - points[0].Price).Trim();
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"spark-line {trend}\" points=\"{string.Join(' ', xy.Select(p => ReportHtml.Fixed(p.X) + "," + ReportHtml.Fixed(p.Y)))}\"/>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static void RenderMovers(StringBuilder html, TrendFigures trends, string currency)
    {
        html.Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="trend-movers-24h" data-points="{trends.Movers24h.Count}">
            <h2>Biggest moves over 24 hours, from our snapshots</h2>

            """);
        if (trends.Movers24h.Count == 0)
        {
            html.Append("<p class=\"note\">No coin has a snapshot between 24 and 25 hours before the newest.</p>\n</section>\n");
            return;
        }

        html.Append("""
            <table class="movers">
            <thead><tr><th class="num">#</th><th>Coin</th><th class="num">Price</th><th class="num">24h</th><th class="num"><abbr title="CoinGecko's own 24h change">CG 24h</abbr></th><th class="num">Rank</th><th class="num">Against</th></tr></thead>
            <tbody>

            """);
        foreach (var mover in trends.Movers24h)
        {
            var rank = mover.RankChange switch
            {
                > 0 => "+" + mover.RankChange.Value.ToString(CultureInfo.InvariantCulture),
                < 0 => mover.RankChange.Value.ToString(CultureInfo.InvariantCulture),
                0 => "0",
                _ => ReportFormat.Missing,
            };
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr class="trend-mover" data-coin="{ReportHtml.Text(mover.Coin.Id)}"><td class="num muted">{mover.Coin.Rank}</td><td>{ReportHtml.CoinLabel(mover.Coin)}</td><td class="num">{ReportHtml.Text(ReportFormat.Price(mover.Coin.Price, currency))}</td><td class="num{ReportHtml.TrendClass(mover.Change)}">{ReportHtml.Text(ReportFormat.SignedPercent(mover.Change))}</td><td class="num muted">{ReportHtml.Text(ReportFormat.SignedPercent(mover.Coin.PriceChangePercentage24h))}</td><td class="num{ReportHtml.TrendClass(mover.RankChange)}">{ReportHtml.Text(rank)}</td><td class="num muted"><time datetime="{ObjectKeys.Iso(mover.ReferenceTime)}">{ReportHtml.Text(ReportFormat.AxisDate(mover.ReferenceTime, TimeSpan.FromDays(1)))}</time></td></tr>

                """);
        }

        html.Append("""
            </tbody>
            </table>
            <p class="note">Our 24h: price now against the newest snapshot at most 1 hour before 24 hours earlier (Against: that snapshot's time, UTC). Rank: places climbed since then.</p>
            </section>

            """);
    }

    /// <summary>Appended to the page's stylesheet.</summary>
    public const string Css = """
        #trend-movers-24h{overflow-x:auto}
        abbr{text-decoration:none}
        .spark-cell{width:40%}
        .spark-dates{font-size:.7rem}
        .spark{display:block;width:100%;height:24px}
        .spark-line{fill:none;stroke:var(--accent);stroke-width:1.5;vector-effect:non-scaling-stroke;stroke-linejoin:round}
        .spark-line.up{stroke:var(--up)}
        .spark-line.down{stroke:var(--down)}
        @media (max-width:480px){.spark-cell{width:30%}}

        """;
}
