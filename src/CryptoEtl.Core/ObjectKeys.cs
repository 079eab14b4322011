using System.Globalization;

namespace CryptoEtl.Core;

/// <summary>
/// Where each step's objects live, the same in S3 and in a local folder:
/// raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json and
/// processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.csv (+ .quality.json).
/// </summary>
public static class ObjectKeys
{
    public const string RawPrefix = "raw/";
    public const string ProcessedPrefix = "processed/";

    public static string Raw(DateTimeOffset fetchTime) =>
        $"{RawPrefix}{DatePath(fetchTime)}/raw_crypto_data_{Stamp(fetchTime)}.json";

    public static string Csv(DateTimeOffset fetchTime) =>
        $"{ProcessedPrefix}{DatePath(fetchTime)}/processed_crypto_data_{Stamp(fetchTime)}.csv";

    public static string Quality(DateTimeOffset fetchTime) =>
        $"{ProcessedPrefix}{DatePath(fetchTime)}/processed_crypto_data_{Stamp(fetchTime)}.quality.json";

    /// <summary>
    /// Throws InvalidInput unless <paramref name="key"/> is a relative '/'-separated key with no
    /// empty, "." or ".." segment: the rule every store applies, so a key means the same object in
    /// a folder and in a bucket.
    /// </summary>
    public static string Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal)
            || key.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"invalid object key \"{key}\"");
        }

        return key;
    }

    /// <summary>A fetch time as the key stamp: UTC, whole seconds, colons replaced (2026-11-25T12-00-00Z).</summary>
    public static string Stamp(DateTimeOffset fetchTime) =>
        Normalize(fetchTime).ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Snapshots are identified to the second, in UTC.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset fetchTime)
    {
        var utc = fetchTime.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>ISO 8601 UTC with Z, the way fetch_time is written in CSV and JSON.</summary>
    public static string Iso(DateTimeOffset fetchTime) =>
        Normalize(fetchTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string DatePath(DateTimeOffset fetchTime) =>
        Normalize(fetchTime).ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture);
}
