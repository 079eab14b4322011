using System.Text.Json.Serialization;

namespace CryptoEtl.Core.Backfill;

// The backfill's step contracts (docs/backfill.md): the Extract function takes {"backfill": {...}}
// or {"backfill_coin": {...}}, Transform {"backfill_id"}, Load {"history_csv_key", "expected_rows"}.
// Only keys, ids and counts travel; never the data.

/// <summary>What to backfill: the top K coins of the latest snapshot, or the given ids.</summary>
public sealed record BackfillRequest
{
    [JsonPropertyName("days")]
    public int? Days { get; init; }

    [JsonPropertyName("top")]
    public int? Top { get; init; }

    [JsonPropertyName("coin_ids")]
    public IReadOnlyList<string>? CoinIds { get; init; }

    [JsonPropertyName("vs_currency")]
    public string? VsCurrency { get; init; }
}

/// <summary>The coins chosen, the backfill's id, and the wait between two history calls that keeps the key within its minute limit.</summary>
public record BackfillSelection
{
    [JsonPropertyName("backfill_id")]
    public required string BackfillId { get; init; }

    [JsonPropertyName("coin_ids")]
    public required IReadOnlyList<string> CoinIds { get; init; }

    [JsonPropertyName("days")]
    public required int Days { get; init; }

    [JsonPropertyName("vs_currency")]
    public required string VsCurrency { get; init; }

    [JsonPropertyName("pause_seconds")]
    public required int PauseSeconds { get; init; }
}

/// <summary>raw/history/&lt;id&gt;/plan.json: the selection, when the history ends, and the coins' names where a snapshot gave them.</summary>
public sealed record BackfillPlan : BackfillSelection
{
    /// <summary>The start of the UTC day (day buckets) or hour (hour buckets) the backfill was planned in: the history ends there (later points are dropped).</summary>
    [JsonPropertyName("history_end")]
    public required DateTimeOffset HistoryEnd { get; init; }

    /// <summary>"day" or "hour": the buckets the coins' points are aligned to.</summary>
    [JsonPropertyName("bucket")]
    public required string Bucket { get; init; }

    /// <summary>The K of a top-K request (null for a given id list): a re-run of the same request on the same day resumes this plan.</summary>
    [JsonPropertyName("top")]
    public int? Top { get; init; }

    /// <summary>The snapshot the coins were chosen from (null for a given id list without a stored snapshot).</summary>
    [JsonPropertyName("selected_from")]
    public string? SelectedFrom { get; init; }

    [JsonPropertyName("coins")]
    public IReadOnlyList<BackfillCoinName>? Coins { get; init; }
}

public sealed record BackfillCoinName
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("symbol")]
    public string? Symbol { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

public sealed record BackfillCoinInput
{
    [JsonPropertyName("backfill_id")]
    public required string BackfillId { get; init; }

    [JsonPropertyName("coin_id")]
    public required string CoinId { get; init; }
}

public sealed record BackfillCoinOutput
{
    [JsonPropertyName("coin_id")]
    public required string CoinId { get; init; }

    [JsonPropertyName("raw_key")]
    public required string RawKey { get; init; }

    [JsonPropertyName("points")]
    public required int Points { get; init; }

    /// <summary>True when the raw object was already stored: a resumed backfill does not call CoinGecko again.</summary>
    [JsonPropertyName("reused")]
    public required bool Reused { get; init; }
}

public sealed record HistoryTransformInput
{
    [JsonPropertyName("backfill_id")]
    public required string BackfillId { get; init; }
}

public sealed record HistoryTransformOutput
{
    [JsonPropertyName("backfill_id")]
    public required string BackfillId { get; init; }

    [JsonPropertyName("csv_key")]
    public required string CsvKey { get; init; }

    [JsonPropertyName("quality_key")]
    public required string QualityKey { get; init; }

    [JsonPropertyName("rows")]
    public required int Rows { get; init; }
}

public sealed record HistoryLoadInput
{
    [JsonPropertyName("history_csv_key")]
    public required string HistoryCsvKey { get; init; }

    [JsonPropertyName("expected_rows")]
    public required int ExpectedRows { get; init; }
}

public sealed record HistoryLoadOutput
{
    [JsonPropertyName("table")]
    public required string Table { get; init; }

    [JsonPropertyName("rows_loaded")]
    public required int RowsLoaded { get; init; }
}

/// <summary>The backfill's quality object, processed/history/&lt;id&gt;/quality.json.</summary>
public sealed record HistoryQuality
{
    [JsonPropertyName("backfill_id")]
    public required string BackfillId { get; init; }

    [JsonPropertyName("csv_key")]
    public required string CsvKey { get; init; }

    [JsonPropertyName("bucket")]
    public required string Bucket { get; init; }

    [JsonPropertyName("coins")]
    public required int Coins { get; init; }

    [JsonPropertyName("coins_without_points")]
    public required IReadOnlyList<string> CoinsWithoutPoints { get; init; }

    [JsonPropertyName("buckets")]
    public required int Buckets { get; init; }

    [JsonPropertyName("rows")]
    public required int Rows { get; init; }

    [JsonPropertyName("first")]
    public DateTimeOffset? First { get; init; }

    [JsonPropertyName("last")]
    public DateTimeOffset? Last { get; init; }

    /// <summary>Points of the three series after the history's end (each answer's "now" point) or after another in their bucket: not in the CSV.</summary>
    [JsonPropertyName("points_dropped")]
    public required int PointsDropped { get; init; }

    [JsonPropertyName("metrics")]
    public required string Metrics { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = false,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(BackfillRequest))]
[JsonSerializable(typeof(BackfillSelection))]
[JsonSerializable(typeof(BackfillPlan))]
[JsonSerializable(typeof(BackfillCoinInput))]
[JsonSerializable(typeof(BackfillCoinOutput))]
[JsonSerializable(typeof(HistoryTransformInput))]
[JsonSerializable(typeof(HistoryTransformOutput))]
[JsonSerializable(typeof(HistoryLoadInput))]
[JsonSerializable(typeof(HistoryLoadOutput))]
[JsonSerializable(typeof(HistoryQuality))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
public sealed partial class BackfillJsonContext : JsonSerializerContext;
