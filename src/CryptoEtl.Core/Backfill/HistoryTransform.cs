using System.Globalization;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Core.Backfill;

/// <summary>
/// Transform of a backfill: every coin's stored market_chart answer into one CSV of the snapshot
/// schema (one row per bucket and coin) and a quality object. The coins' points do not share
/// timestamps, so each is aligned to its bucket: the UTC day (more than 90 days: CoinGecko's
/// daily points at 00:00 UTC) or the UTC hour (up to 90 days: hourly points a few seconds past
/// the hour). A row's fetch_time is its bucket's start; each series gives the bucket its first
/// point in the bucket; points after the plan's history_end (the answer's last, "now" point) are
/// left out, so no bucket holds a partial day or hour. Computable per bucket: price, market cap,
/// volume, and the shares and rank among the backfilled coins (not the whole market); the
/// columns market_chart has no data for are null (docs/backfill.md).
/// </summary>
public sealed class HistoryTransform(IObjectStore store)
{
    public const string MetricsNote =
        "dominance_percentage, volume_percentage and market_cap_rank are among this backfill's coins in the bucket, not the whole market; "
        + "global_dominance_percentage and the columns market_chart has no data for (24h changes, supply, ath/atl, roi, last_updated) are null";

    private static readonly int Columns = CryptoSchema.Columns.Count;
    private static readonly int Dominance = CryptoSchema.IndexOf("dominance_percentage");
    private static readonly int VolumeShare = CryptoSchema.IndexOf("volume_percentage");

    public async Task<HistoryTransformOutput> RunAsync(HistoryTransformInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await BackfillExtract.ReadPlanAsync(store, input.BackfillId, cancellationToken);
        var aligned = await ReadAlignedAsync(plan, cancellationToken);
        if (aligned.Missing.Count > 0)
        {
            var missing = aligned.Missing;
            throw new PipelineException(ErrorNames.ObjectNotFound,
                $"backfill {plan.BackfillId} lacks the history of {missing.Count} of its {plan.CoinIds.Count} coins ({string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}); fetch them first (run the backfill again: it resumes)");
        }

        var csvKey = BackfillKeys.Csv(plan.BackfillId, ObjectKeys.NewWriteId());
        var count = await WriteCsvAsync(csvKey, plan.VsCurrency, aligned.ByBucket, cancellationToken);
        var byBucket = aligned.ByBucket;
        var quality = new HistoryQuality
        {
            BackfillId = plan.BackfillId,
            CsvKey = csvKey,
            Bucket = plan.Bucket,
            Coins = plan.CoinIds.Count,
            CoinsWithoutPoints = aligned.WithoutPoints,
            Buckets = byBucket.Count,
            Rows = count,
            First = byBucket.Count > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(byBucket.Keys.First()) : null,
            Last = byBucket.Count > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(byBucket.Keys.Last()) : null,
            PointsDropped = aligned.Dropped,
            Metrics = MetricsNote,
        };
        var qualityKey = BackfillKeys.Quality(plan.BackfillId);
        await store.PutBytesAsync(qualityKey, ContentTypes.Json, JsonSerializer.SerializeToUtf8Bytes(quality, BackfillJsonContext.Default.HistoryQuality), cancellationToken);
        return new HistoryTransformOutput { BackfillId = plan.BackfillId, CsvKey = csvKey, QualityKey = qualityKey, Rows = count };
    }

    /// <summary>Every coin's rows by bucket; the coins whose answer is not stored, and those without a point.</summary>
    private sealed record AlignedHistory(SortedDictionary<long, List<Row>> ByBucket, List<string> Missing, List<string> WithoutPoints, int Dropped);

    private async Task<AlignedHistory> ReadAlignedAsync(BackfillPlan plan, CancellationToken cancellationToken)
    {
        var names = plan.Coins?.ToDictionary(c => c.Id, StringComparer.Ordinal) ?? [];
        var byBucket = new SortedDictionary<long, List<Row>>();
        var missing = new List<string>();
        var withoutPoints = new List<string>();
        var dropped = 0;
        foreach (var coinId in plan.CoinIds)
        {
            var chart = await ReadChartAsync(BackfillKeys.Raw(plan.BackfillId, coinId), cancellationToken);
            if (chart is null)
            {
                missing.Add(coinId);
                continue;
            }

            var rows = Align(chart, plan, out var droppedHere);
            dropped += droppedHere;
            if (rows.Count == 0)
            {
                withoutPoints.Add(coinId);
            }

            var name = names.GetValueOrDefault(coinId);
            foreach (var (bucket, row) in rows)
            {
                if (!byBucket.TryGetValue(bucket, out var list))
                {
                    byBucket[bucket] = list = [];
                }

                list.Add(row with { Id = coinId, Symbol = Clean(name?.Symbol), Name = Clean(name?.Name) });
            }
        }

        return new AlignedHistory(byBucket, missing, withoutPoints, dropped);
    }

    /// <summary>The coin's stored answer, or null when it is not stored.</summary>
    private async Task<MarketChart?> ReadChartAsync(string key, CancellationToken cancellationToken)
    {
        byte[] answer;
        try
        {
            // Read, never HEAD: Transform may read raw/* but not list it, and S3 answers a HEAD of a missing key 403 then.
            answer = await store.ReadAllBytesAsync(key, cancellationToken);
        }
        catch (PipelineException ex) when (ex.ErrorName == ErrorNames.ObjectNotFound)
        {
            return null;
        }

        try
        {
            return MarketChart.Parse(answer);
        }
        catch (FormatException ex)
        {
            throw new PipelineException(ErrorNames.RawObjectInvalid, $"{key} is not a market_chart answer: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the CSV (header, then each bucket's lines in time order); returns its row count.</summary>
    private async Task<int> WriteCsvAsync(string csvKey, string vsCurrency, SortedDictionary<long, List<Row>> byBucket, CancellationToken cancellationToken)
    {
        var count = 0;
        await store.PutAsync(csvKey, ContentTypes.Csv, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            await writer.WriteLineAsync(CryptoSchema.CsvHeader.AsMemory(), ct);
            foreach (var (bucket, rows) in byBucket)
            {
                foreach (var line in Lines(DateTimeOffset.FromUnixTimeMilliseconds(bucket), vsCurrency, rows))
                {
                    await writer.WriteLineAsync(line.AsMemory(), ct);
                    count++;
                }
            }
        }, cancellationToken);
        return count;
    }

    /// <summary>One coin's value per series in a bucket; the coin's name is filled in by the caller.</summary>
    private sealed record Row(double? Price, double? MarketCap, double? Volume)
    {
        public string Id { get; init; } = "";

        public string? Symbol { get; init; }

        public string? Name { get; init; }
    }

    /// <summary>The coin's rows by bucket start (unix ms): buckets with a price, before the plan's history end.</summary>
    private static List<(long Bucket, Row Row)> Align(MarketChart chart, BackfillPlan plan, out int dropped)
    {
        var width = plan.Bucket == "day" ? TimeSpan.TicksPerDay / TimeSpan.TicksPerMillisecond : TimeSpan.TicksPerHour / TimeSpan.TicksPerMillisecond;
        var end = plan.HistoryEnd.ToUnixTimeMilliseconds();
        var skipped = 0;
        Dictionary<long, double?> First(IReadOnlyList<ChartPoint> series)
        {
            var firsts = new Dictionary<long, (long At, double? Value)>();
            foreach (var point in series)
            {
                var bucket = point.UnixMilliseconds - (point.UnixMilliseconds % width);
                if (point.UnixMilliseconds > end)
                {
                    skipped++;
                }
                else if (!firsts.TryGetValue(bucket, out var seen))
                {
                    firsts[bucket] = (point.UnixMilliseconds, point.Value);
                }
                else
                {
                    skipped++;
                    if (point.UnixMilliseconds < seen.At)
                    {
                        firsts[bucket] = (point.UnixMilliseconds, point.Value);
                    }
                }
            }

            return firsts.ToDictionary(p => p.Key, p => p.Value.Value);
        }

        var prices = First(chart.Prices);
        var caps = First(chart.MarketCaps);
        var volumes = First(chart.TotalVolumes);
        dropped = skipped;
        return [.. prices.Where(p => p.Value is not null).OrderBy(p => p.Key)
            .Select(p => (p.Key, new Row(p.Value, caps.GetValueOrDefault(p.Key), volumes.GetValueOrDefault(p.Key))))];
    }

    /// <summary>The bucket's CSV lines: shares of the sums over the coins with a value, ranks by market cap (ties by id).</summary>
    private static IEnumerable<string> Lines(DateTimeOffset bucket, string vsCurrency, List<Row> rows)
    {
        var capSum = rows.Sum(r => r.MarketCap ?? 0);
        var volumeSum = rows.Sum(r => r.Volume ?? 0);
        var ranks = rows.Where(r => r.MarketCap > 0).OrderByDescending(r => r.MarketCap).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select((r, i) => (r.Id, Rank: i + 1)).ToDictionary(r => r.Id, r => r.Rank, StringComparer.Ordinal);
        var time = ObjectKeys.Iso(bucket);
        foreach (var row in rows.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            var fields = new string[Columns];
            Array.Fill(fields, "");
            fields[CryptoSchema.IndexOf("fetch_time")] = time;
            fields[CryptoSchema.IndexOf("vs_currency")] = vsCurrency;
            fields[CryptoSchema.IndexOf("id")] = Field(row.Id);
            fields[CryptoSchema.IndexOf("symbol")] = Field(row.Symbol);
            fields[CryptoSchema.IndexOf("name")] = Field(row.Name);
            fields[CryptoSchema.IndexOf("current_price")] = Number(row.Price);
            fields[CryptoSchema.IndexOf("market_cap")] = Number(row.MarketCap);
            fields[CryptoSchema.IndexOf("total_volume")] = Number(row.Volume);
            fields[CryptoSchema.IndexOf("market_cap_rank")] = ranks.TryGetValue(row.Id, out var rank) ? rank.ToString(CultureInfo.InvariantCulture) : "";
            fields[Dominance] = row.MarketCap is { } cap && capSum > 0 ? Number(cap / capSum * 100) : "";
            fields[VolumeShare] = row.Volume is { } volume && volumeSum > 0 ? Number(volume / volumeSum * 100) : "";
            yield return string.Join(',', fields);
        }
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Field(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var buffer = new byte[CsvFieldEncoding.QuotedLength(bytes)];
        return Encoding.UTF8.GetString(buffer, 0, CsvFieldEncoding.Write(buffer, bytes));
    }

    /// <summary>A name or symbol from the raw snapshot, kept only when it is short printable text (the snapshot's own Transform cleans the rest).</summary>
    private static string? Clean(string? text) =>
        text is { Length: > 0 and <= 200 } && !text.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format) ? text.Trim() : null;
}
