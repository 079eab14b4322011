using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace CryptoEtl.Core.Backfill;

/// <summary>
/// Where a backfill's objects live, inside the prefixes the functions' IAM grants already cover:
/// raw/history/&lt;id&gt;/plan.json and raw/history/&lt;id&gt;/&lt;coin id&gt;.json (Extract),
/// processed/history/&lt;id&gt;/history_&lt;write id&gt;.csv and processed/history/&lt;id&gt;/quality.json (Transform).
/// The id is deterministic, so the same request on the same UTC day resumes the same backfill:
/// 20261207-day365-usd-&lt;16 hex digits of XxHash64 over the sorted coin ids&gt;.
/// </summary>
public static class BackfillKeys
{
    public const string RawPrefix = ObjectKeys.RawPrefix + "history/";
    public const string ProcessedPrefix = ObjectKeys.ProcessedPrefix + "history/";

    public static string Id(DateTimeOffset historyEnd, string bucket, int days, string vsCurrency, IEnumerable<string> coinIds)
    {
        ArgumentNullException.ThrowIfNull(coinIds);
        var set = string.Join('\n', coinIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(set));
        return string.Create(CultureInfo.InvariantCulture, $"{IdStem(historyEnd, bucket, days, vsCurrency)}{hash:x16}");
    }

    /// <summary>What every id of this day, bucket, length and currency starts with (the coin set's hash follows).</summary>
    public static string IdStem(DateTimeOffset historyEnd, string bucket, int days, string vsCurrency) =>
        string.Create(CultureInfo.InvariantCulture, $"{historyEnd.UtcDateTime:yyyyMMdd}-{bucket}{days}-{vsCurrency}-");

    public static string Plan(string backfillId) => $"{RawPrefix}{CheckId(backfillId)}/plan.json";

    public static string Raw(string backfillId, string coinId) => $"{RawPrefix}{CheckId(backfillId)}/{CheckCoinId(coinId)}.json";

    public static string Csv(string backfillId, string writeId) => $"{ProcessedPrefix}{CheckId(backfillId)}/history_{writeId}.csv";

    public static string Quality(string backfillId) => $"{ProcessedPrefix}{CheckId(backfillId)}/quality.json";

    /// <summary>The backfill id of a history CSV key, or an InvalidInput naming the key.</summary>
    public static string IdOfCsv(string csvKey)
    {
        ArgumentNullException.ThrowIfNull(csvKey);
        var parts = csvKey.Split('/');
        if (parts.Length == 4 && csvKey.StartsWith(ProcessedPrefix, StringComparison.Ordinal) && IsId(parts[2])
            && parts[3].StartsWith("history_", StringComparison.Ordinal) && parts[3].EndsWith(".csv", StringComparison.Ordinal)
            && parts[3].Length == "history_".Length + ObjectKeys.WriteIdLength + ".csv".Length)
        {
            return parts[2];
        }

        throw new PipelineException(ErrorNames.InvalidInput, $"history_csv_key {csvKey} is not a backfill's CSV ({ProcessedPrefix}<backfill_id>/history_<write id>.csv)");
    }

    public static string CheckId(string backfillId) => IsId(backfillId)
        ? backfillId
        : throw new PipelineException(ErrorNames.InvalidInput, $"\"{backfillId}\" is not a backfill id (such as 20261207-day365-usd-0123456789abcdef)");

    /// <summary>CoinGecko's API ids are lower-case letters, digits, '-', '_' and '.' (e.g. "usd-coin"); anything else never names a coin or a key.</summary>
    public static string CheckCoinId(string coinId) => IsCoinId(coinId)
        ? coinId
        : throw new PipelineException(ErrorNames.InvalidInput, $"\"{coinId}\" is not a CoinGecko coin id (lower-case letters, digits, '-', '_', '.')");

    public static bool IsCoinId(string? coinId) =>
        coinId is { Length: > 0 and <= 100 } && coinId[0] != '.' && !coinId.Contains("..", StringComparison.Ordinal)
        && coinId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.');

    private static bool IsId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
