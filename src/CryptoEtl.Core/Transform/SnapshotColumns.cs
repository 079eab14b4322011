using System.Text;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// How the CSV columns of <see cref="CryptoSchema"/> are filled. A few are derived (fetch time,
/// currency, roi's parts, the metrics); every other column is the coin property of the same name,
/// so a column added to the schema is picked up from the coins without a change here.
/// </summary>
internal static class SnapshotColumns
{
    public static readonly int FetchTime = CryptoSchema.IndexOf("fetch_time");
    public static readonly int VsCurrency = CryptoSchema.IndexOf("vs_currency");
    public static readonly int Id = CryptoSchema.IndexOf("id");
    public static readonly int Symbol = CryptoSchema.IndexOf("symbol");
    public static readonly int Name = CryptoSchema.IndexOf("name");
    public static readonly int CurrentPrice = CryptoSchema.IndexOf("current_price");
    public static readonly int MarketCap = CryptoSchema.IndexOf("market_cap");
    public static readonly int MarketCapRank = CryptoSchema.IndexOf("market_cap_rank");
    public static readonly int TotalVolume = CryptoSchema.IndexOf("total_volume");
    public static readonly int RoiTimes = CryptoSchema.IndexOf("roi_times");
    public static readonly int RoiCurrency = CryptoSchema.IndexOf("roi_currency");
    public static readonly int RoiPercentage = CryptoSchema.IndexOf("roi_percentage");
    public static readonly int Dominance = CryptoSchema.IndexOf("dominance_percentage");
    public static readonly int VolumeShare = CryptoSchema.IndexOf("volume_percentage");
    public static readonly int GlobalDominance = CryptoSchema.IndexOf("global_dominance_percentage");

    /// <summary>Where a coin property goes: a column index, or one of these.</summary>
    public const int Unknown = -1;
    public const int Roi = -2;

    public static int Count => CryptoSchema.Columns.Count;

    /// <summary>Columns filled from a coin property (or roi's parts), in CSV order.</summary>
    public static readonly int[] CoinColumns = Enumerable.Range(0, Count)
        .Where(c => c != FetchTime && c != VsCurrency && c != Dominance && c != VolumeShare && c != GlobalDominance)
        .ToArray();

    /// <summary>Per column: the property holds a JSON number (else a JSON string).</summary>
    public static readonly bool[] IsNumeric = CryptoSchema.Columns
        .Select(c => c.Type is ColumnType.Number or ColumnType.WholeNumber)
        .ToArray();

    /// <summary>Per column: a timestamp, written in <see cref="UtcTimestamp"/>'s one form.</summary>
    public static readonly bool[] IsTimestamp = CryptoSchema.Columns.Select(c => c.Type == ColumnType.Timestamp).ToArray();

    /// <summary>Per column: display text the CSV carries without invisible characters (<see cref="InvisibleCharacters"/>).</summary>
    public static readonly bool[] IsDisplayText = CryptoSchema.Columns.Select((_, i) => i == Name || i == Symbol).ToArray();

    /// <summary>Coin property names (UTF-8) and their targets; roi's parts are read inside roi.</summary>
    public static readonly (byte[] Name, int Target)[] CoinProperties =
    [
        .. CoinColumns
            .Where(c => c != RoiTimes && c != RoiCurrency && c != RoiPercentage)
            .Select(c => (Encoding.UTF8.GetBytes(CryptoSchema.Columns[c].Name), c)),
        ("roi"u8.ToArray(), Roi),
    ];

    public static readonly string[] MissingReason = Reasons("missing_");
    public static readonly string[] InvalidReason = Reasons("invalid_");
    public static readonly string[] TooLongReason = Reasons("too_long_");
    public static readonly string[] InvalidEncodingReason = Reasons("invalid_encoding_");
    public static readonly string[] ControlCharacterReason = Reasons("control_character_");

    public const string NotAnObject = "not_an_object";
    public const string NegativeCurrentPrice = "negative_current_price";
    public const string InvalidRoi = "invalid_roi";
    public const string DuplicateProperty = "duplicate_property";
    public const string NegativeMarketCap = "negative_market_cap";
    public const string NegativeTotalVolume = "negative_total_volume";

    public static string ColumnName(int column) => CryptoSchema.Columns[column].Name;

    public static int Lookup(ReadOnlySpan<byte> propertyName)
    {
        foreach (var (name, target) in CoinProperties)
        {
            if (propertyName.SequenceEqual(name))
            {
                return target;
            }
        }

        return Unknown;
    }

    private static string[] Reasons(string prefix) => CryptoSchema.Columns.Select(c => prefix + c.Name).ToArray();
}
