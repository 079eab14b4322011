using System.Text.Json;

namespace CryptoEtl.Core.Backfill;

/// <summary>One [unix ms, value] pair of a market_chart series; the value is null where CoinGecko sent null.</summary>
public readonly record struct ChartPoint(long UnixMilliseconds, double? Value);

/// <summary>
/// CoinGecko's market_chart body: {"prices": [[ms, v], ...], "market_caps": [...], "total_volumes": [...]}
/// (docs.coingecko.com/reference/coins-id-market-chart). The three series need not share timestamps.
/// </summary>
public sealed record MarketChart(IReadOnlyList<ChartPoint> Prices, IReadOnlyList<ChartPoint> MarketCaps, IReadOnlyList<ChartPoint> TotalVolumes)
{
    public const string PricesName = "prices";
    public const string MarketCapsName = "market_caps";
    public const string TotalVolumesName = "total_volumes";

    /// <summary>Null when <paramref name="json"/> is a market_chart body; otherwise what is wrong. <paramref name="points"/>: the price points.</summary>
    public static string? Check(ReadOnlySpan<byte> json, out int points)
    {
        points = 0;
        try
        {
            var chart = Parse(json);
            points = chart.Prices.Count;
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The series; a FormatException names what is not the documented shape.</summary>
    public static MarketChart Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON object with {PricesName}, {MarketCapsName} and {TotalVolumesName}, got {root.ValueKind}");
            }

            return new MarketChart(Series(root, PricesName), Series(root, MarketCapsName), Series(root, TotalVolumesName));
        }
    }

    private static List<ChartPoint> Series(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var series) || series.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"no \"{name}\" array");
        }

        var points = new List<ChartPoint>(series.GetArrayLength());
        foreach (var pair in series.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                || pair[0].ValueKind != JsonValueKind.Number || !pair[0].TryGetDouble(out var ms) || ms < 0 || ms > 253402300799999
                || pair[1].ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
            {
                throw new FormatException($"\"{name}\" holds {pair.GetRawText()}, not a [unix ms, number] pair");
            }

            double? value = pair[1].ValueKind == JsonValueKind.Null ? null : pair[1].GetDouble();
            if (value is { } v && !double.IsFinite(v))
            {
                throw new FormatException($"\"{name}\" holds a value that is not finite: {pair.GetRawText()}");
            }

            points.Add(new ChartPoint((long)ms, value));
        }

        return points;
    }
}
