using System.Globalization;

namespace CryptoEtl.Core;

/// <summary>
/// One snapshot's identity: its fetch time, cut to the second in UTC, and every name derived from
/// it (<see cref="ObjectKeys"/> describes the layout). Each step makes one where a time enters it
/// (Extract: its input or the clock; Transform: the raw object's metadata; Load: its input) and
/// passes it on, so the time is normalized and the names are formatted here alone.
/// </summary>
public readonly record struct SnapshotId
{
    private SnapshotId(DateTimeOffset fetchTime) => FetchTime = fetchTime;

    /// <summary>The fetch time: UTC, whole seconds.</summary>
    public DateTimeOffset FetchTime { get; }

    /// <summary>ISO 8601 UTC with Z (2026-11-25T12:00:00Z), the way fetch_time is written in CSV and JSON.</summary>
    public string Iso => FetchTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The time as the key stamp: colons replaced (2026-11-25T12-00-00Z).</summary>
    public string Stamp => FetchTime.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json</summary>
    public string RawKey => $"{ObjectKeys.RawPrefix}{DatePath}/raw_crypto_data_{Stamp}.json";

    /// <summary>The key every CSV of this snapshot starts with (for listing them).</summary>
    public string CsvStem => $"{ObjectKeys.ProcessedPrefix}{DatePath}/processed_crypto_data_{Stamp}";

    /// <summary>processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.quality.json</summary>
    public string QualityKey => $"{CsvStem}.quality.json";

    private string DatePath => FetchTime.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture);

    /// <summary>The snapshot of <paramref name="fetchTime"/>, cut to the second in UTC.</summary>
    public static SnapshotId Of(DateTimeOffset fetchTime)
    {
        var utc = fetchTime.ToUniversalTime();
        return new SnapshotId(new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero));
    }

    /// <summary>The CSV of one write of this snapshot; <paramref name="writeId"/> from <see cref="ObjectKeys.NewWriteId"/>.</summary>
    public string CsvKey(string writeId)
    {
        if (!ObjectKeys.IsWriteId(writeId))
        {
            throw new ArgumentException($"\"{writeId}\" is not a write id ({ObjectKeys.WriteIdLength} lower-case hex digits)", nameof(writeId));
        }

        return $"{CsvStem}_{writeId}.csv";
    }

    /// <summary>True when <paramref name="key"/> is a CSV of this snapshot, <see cref="CsvKey"/> of some write id.</summary>
    public bool IsCsvKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var stem = CsvStem + "_";
        return key.Length == stem.Length + ObjectKeys.WriteIdLength + ".csv".Length
            && key.StartsWith(stem, StringComparison.Ordinal)
            && key.EndsWith(".csv", StringComparison.Ordinal)
            && ObjectKeys.IsWriteId(key.Substring(stem.Length, ObjectKeys.WriteIdLength));
    }

    public override string ToString() => Iso;
}
