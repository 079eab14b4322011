using System.Data.Common;
using System.Globalization;
using System.Numerics;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;

namespace CryptoEtl.Report;

/// <summary>
/// Computes the report's figures by SQL over the local warehouse's views (v_latest_snapshot,
/// v_market_timeseries), all inside one read transaction so a load landing meanwhile cannot mix
/// two snapshots into one page.
/// </summary>
public static class MarketReport
{
    public const int TopCoins = 20;
    public const int DonutCoins = 10;
    public const int Movers = 10;

    /// <summary>The histogram has this many bins on each side of zero, plus two open-ended ones.</summary>
    public const int HalfBins = 10;

    private static readonly double[] NiceSteps = [0.5, 1, 2, 2.5, 5];

    /// <summary>
    /// Builds the report of the newest snapshot in the DuckDB file at <paramref name="databasePath"/>.
    /// <paramref name="store"/> (the pipeline's object store) supplies the snapshot's data-quality
    /// object, for the rejected rows and warnings; without it they show as unknown.
    /// </summary>
    public static async Task<ReportData> BuildAsync(string databasePath, IObjectStore? store, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        // A report of nothing should say so, not fail inside DuckDB.
        if (!File.Exists(databasePath))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"no warehouse at {Path.GetFullPath(databasePath)}: run the pipeline first");
        }

        // Read-only: a report never writes the warehouse, so it works on a read-only mount too.
        await using var connection = await DuckDbWarehouse.OpenReadOnlyAsync(databasePath, cancellationToken);
        return await BuildAsync(connection, databasePath, store, cancellationToken);
    }

    /// <summary>
    /// Builds the report over an open connection to the warehouse (<paramref name="databasePath"/>
    /// names it in messages): what a process that also loads uses, reading through its own DuckDB
    /// instance (<see cref="DuckDbWarehouse.OpenReaderAsync"/>).
    /// </summary>
    public static async Task<ReportData> BuildAsync(DbConnection connection, string databasePath, IObjectStore? store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var history = await HistoryAsync(connection, databasePath, cancellationToken);
        var latest = history[^1];
        var currency = Literal(latest.VsCurrency);
        var snapshot = SnapshotId.Of(latest.FetchTime);

        // Its rows by their fetch_time as a literal: DuckDB then reads only that time's row groups.
        var latestRows = string.Create(
            CultureInfo.InvariantCulture,
            $"{TrendViews.SnapshotRows} WHERE fetch_time = TIMESTAMPTZ '{snapshot.Iso}' AND vs_currency = {currency}");
        const string coinColumns = "id, symbol, name, market_cap_rank, current_price, market_cap, price_change_percentage_24h";
        var top = await CoinsAsync(
            connection,
            $"SELECT {coinColumns} FROM {latestRows} AND market_cap IS NOT NULL ORDER BY market_cap DESC, id LIMIT {TopCoins}",
            cancellationToken);
        var gainers = await CoinsAsync(
            connection,
            $"SELECT {coinColumns} FROM {latestRows} AND price_change_percentage_24h IS NOT NULL ORDER BY price_change_percentage_24h DESC, market_cap DESC NULLS LAST, id LIMIT {Movers}",
            cancellationToken);
        var losers = await CoinsAsync(
            connection,
            $"SELECT {coinColumns} FROM {latestRows} AND price_change_percentage_24h IS NOT NULL ORDER BY price_change_percentage_24h ASC, market_cap DESC NULLS LAST, id LIMIT {Movers}",
            cancellationToken);

        var report = new ReportData
        {
            Latest = latest,
            Snapshot = await SnapshotAsync(connection, latestRows, cancellationToken),
            TopByMarketCap = top,
            DominanceShare = await DominanceAsync(connection, latestRows, cancellationToken),
            Gainers = gainers,
            Losers = losers,
            PriceChanges = await HistogramAsync(connection, latestRows, cancellationToken),
            History = history,
            Trends = await TrendReport.BuildAsync(connection, latest.VsCurrency, top, cancellationToken),
        };
        await transaction.CommitAsync(cancellationToken);

        var quality = store is null ? null : await QualityObject.ReadAsync(store, snapshot.QualityKey, cancellationToken);
        return report with
        {
            RowsRejected = quality?.RowsRejected,
            QualityWarnings = quality is null ? [] : [.. quality.Checks.Where(c => !c.Passed).Select(c => c.Detail)],
        };
    }

    /// <summary>
    /// Every snapshot of the newest snapshot's currency, oldest first, the newest with its totals in
    /// full; the others with only what the history charts read: time, coins, market cap and
    /// dominance (a year of 15-minute snapshots is 35,000 rows: reading fewer columns is most of
    /// the report's time).
    /// </summary>
    private static async Task<List<MarketTotals>> HistoryAsync(DbConnection connection, string databasePath, CancellationToken cancellationToken)
    {
        var newest = Rows(await QueryAsync(connection, $"SELECT * FROM {DuckDbSchema.MarketTimeseriesView} ORDER BY fetch_time DESC LIMIT 1", cancellationToken))
            .Select(ReadTotals)
            .ToList();
        if (newest.Count == 0)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"the warehouse {Path.GetFullPath(databasePath)} has no snapshot in {CryptoSchema.TableName}: run the pipeline first");
        }

        var history = Rows(await QueryAsync(
                connection,
                $"""
                SELECT fetch_time, vs_currency, coins, total_market_cap, btc_dominance_percentage, btc_snapshot_dominance_percentage
                FROM {DuckDbSchema.MarketTimeseriesView}
                WHERE vs_currency = {Literal(newest[0].VsCurrency)}
                ORDER BY fetch_time
                """,
                cancellationToken))
            .Select(ReadTotals)
            .ToList();
        history[^1] = newest[0];
        return history;
    }

    /// <summary>The smallest of 0.5, 1, 2, 2.5, 5 (times a power of ten) that is at least <paramref name="raw"/>.</summary>
    public static double NiceStep(double raw)
    {
        if (!(raw > 0) || double.IsInfinity(raw))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var step in NiceSteps)
        {
            if (step * magnitude >= raw * (1 - 1e-12))
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static async Task<SnapshotFigures> SnapshotAsync(DbConnection connection, string latestRows, CancellationToken cancellationToken)
    {
        // The 24h change compares caps now with caps 24h ago, over the coins that have both.
        var row = Rows(await QueryAsync(
            connection,
            $"""
            SELECT
                sum(market_cap_change_24h) FILTER (WHERE market_cap IS NOT NULL) AS change,
                100 * sum(market_cap_change_24h) FILTER (WHERE market_cap IS NOT NULL)
                    / nullif(sum(market_cap - market_cap_change_24h), 0) AS change_percentage,
                max(CASE WHEN id = 'bitcoin' THEN dominance_percentage END) AS btc,
                max(CASE WHEN id = 'ethereum' THEN dominance_percentage END) AS eth
            FROM {latestRows}
            """,
            cancellationToken)).Single();
        return new SnapshotFigures
        {
            MarketCapChange24h = row.Number("change"),
            MarketCapChangePercentage24h = row.Number("change_percentage"),
            BtcDominance = row.Number("btc"),
            EthDominance = row.Number("eth"),
        };
    }

    private static async Task<IReadOnlyList<DominanceSlice>> DominanceAsync(DbConnection connection, string latestRows, CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            connection,
            $"SELECT id, symbol, dominance_percentage FROM {latestRows} AND market_cap IS NOT NULL AND dominance_percentage IS NOT NULL ORDER BY market_cap DESC, id LIMIT {DonutCoins}",
            cancellationToken);
        var slices = Rows(result)
            .Select(r => new DominanceSlice(r.Text("id"), r.Text("symbol").ToUpperInvariant(), r.Number("dominance_percentage") ?? 0))
            .ToList();
        var others = 100 - slices.Sum(s => s.Percentage);
        // Rounding in the stored percentages can leave a hair below zero; that is no slice.
        if (others > 0.05)
        {
            slices.Add(new DominanceSlice(null, "Others", others));
        }

        return slices;
    }

    private static async Task<PriceChangeHistogram> HistogramAsync(DbConnection connection, string latestRows, CancellationToken cancellationToken)
    {
        // Bins sized so the central 96 % of coins spread over the axis; the tails go to open-ended bins.
        var spread = Rows(await QueryAsync(
            connection,
            $"SELECT quantile_cont(price_change_percentage_24h, 0.02) AS low, quantile_cont(price_change_percentage_24h, 0.98) AS high FROM {latestRows}",
            cancellationToken)).Single();
        var halfRange = Math.Max(Math.Abs(spread.Number("low") ?? 0), Math.Abs(spread.Number("high") ?? 0));
        var step = NiceStep(halfRange / HalfBins);

        var counts = Rows(await QueryAsync(
            connection,
            string.Create(
                CultureInfo.InvariantCulture,
                $"""
                SELECT CAST(least(greatest(floor(price_change_percentage_24h / {step:R}), {-HalfBins - 1}), {HalfBins}) AS INTEGER) AS bin, count(*) AS coins
                FROM {latestRows} AND price_change_percentage_24h IS NOT NULL
                GROUP BY bin
                """),
            cancellationToken)).ToDictionary(r => (int)r.Number("bin")!.Value, r => (int)r.Number("coins")!.Value);

        var bins = new List<HistogramBin>();
        for (var bin = -HalfBins - 1; bin <= HalfBins; bin++)
        {
            var count = counts.GetValueOrDefault(bin);
            var open = bin == -HalfBins - 1 || bin == HalfBins;
            if (open && count == 0)
            {
                continue;
            }

            bins.Add(new HistogramBin(
                bin == -HalfBins - 1 ? null : bin * step,
                bin == HalfBins ? null : (bin + 1) * step,
                count));
        }

        return new PriceChangeHistogram(step, bins);
    }

    private static async Task<IReadOnlyList<CoinFigures>> CoinsAsync(DbConnection connection, string sql, CancellationToken cancellationToken) =>
        [.. Rows(await QueryAsync(connection, sql, cancellationToken)).Select(ReadCoin)];

    /// <summary>A coin from a row with id, symbol, name, market_cap_rank, current_price, market_cap, price_change_percentage_24h.</summary>
    internal static CoinFigures ReadCoin(Row r) => new()
    {
        Id = r.Text("id"),
        Symbol = r.Text("symbol"),
        Name = r.Text("name"),
        Rank = (long?)r.Number("market_cap_rank"),
        Price = r.Number("current_price"),
        MarketCap = r.Number("market_cap"),
        PriceChangePercentage24h = r.Number("price_change_percentage_24h"),
    };

    /// <summary>A snapshot's totals from a row of v_market_timeseries; the history's rows lack the columns after the first six.</summary>
    private static MarketTotals ReadTotals(Row r) => new()
    {
        FetchTime = r.Time("fetch_time"),
        VsCurrency = r.Text("vs_currency"),
        Coins = (int)r.Number("coins")!.Value,
        TotalMarketCap = r.Number("total_market_cap"),
        BtcDominance = r.Number("btc_dominance_percentage"),
        BtcSnapshotDominance = r.Number("btc_snapshot_dominance_percentage"),
        TotalVolume = r.NumberIfSelected("total_volume"),
        BtcPrice = r.NumberIfSelected("btc_price"),
        EthPrice = r.NumberIfSelected("eth_price"),
        EthDominance = r.NumberIfSelected("eth_dominance_percentage"),
        MedianPriceChangePercentage24h = r.NumberIfSelected("median_price_change_percentage_24h"),
        Gainers24h = (int)(r.NumberIfSelected("gainers_24h") ?? 0),
        Losers24h = (int)(r.NumberIfSelected("losers_24h") ?? 0),
    };

    /// <summary>A SQL string literal of <paramref name="text"/>.</summary>
    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static Task<QueryResult> QueryAsync(DbConnection connection, string sql, CancellationToken cancellationToken) =>
        DuckDbQuery.RunAsync(connection, sql, cancellationToken);

    internal static IEnumerable<Row> Rows(QueryResult result) => result.Rows.Select(values => new Row(result.Columns, values));

    /// <summary>A result row read by column name, with DuckDB's CLR types mapped to ours.</summary>
    internal readonly record struct Row(IReadOnlyList<string> Columns, object?[] Values)
    {
        private object? this[string column]
        {
            get
            {
                for (var i = 0; i < Columns.Count; i++)
                {
                    if (Columns[i] == column)
                    {
                        return Values[i];
                    }
                }

                throw new InvalidOperationException($"query has no column {column}");
            }
        }

        public string Text(string column) => this[column] as string ?? "";

        /// <summary>The column's number, or null when the query did not select it.</summary>
        public double? NumberIfSelected(string column) => Columns.Contains(column) ? Number(column) : null;

        public double? Number(string column) => this[column] switch
        {
            null => null,
            double d => double.IsFinite(d) ? d : null,
            float f => f,
            long l => l,
            int i => i,
            decimal m => (double)m,
            BigInteger b => (double)b, // HUGEINT, e.g. count_if
            var other => Convert.ToDouble(other, CultureInfo.InvariantCulture),
        };

        public DateTimeOffset Time(string column) => this[column] switch
        {
            DateTimeOffset o => o.ToUniversalTime(),
            DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            var other => throw new InvalidOperationException($"{column} is {other?.GetType().Name ?? "null"}, not a timestamp"),
        };
    }
}
