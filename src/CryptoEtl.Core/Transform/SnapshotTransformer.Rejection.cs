using System.Buffers.Text;

namespace CryptoEtl.Core.Transform;

// Whether a coin becomes a row, and if not, the one reason the quality object gives.
internal sealed partial class SnapshotTransformer
{
    /// <summary>
    /// The reason the coin is no row, or null when it is one; the first that applies, in this
    /// order: a repeated property, a field no CSV may hold, id/symbol/name, current_price, a value
    /// of the wrong type, roi, market_cap, total_volume, market_cap_rank. Encodes the row into
    /// <paramref name="row"/> on the way and gives the amounts the metrics need.
    /// </summary>
    private static string? RejectionReason(ReadOnlySpan<byte> json, CoinRecord coin, Span<byte> row, out RowShape shape, out double? marketCap, out double? volume, out long? rank)
    {
        shape = default;
        marketCap = null;
        volume = null;
        rank = null;
        if (coin.RepeatedProperty)
        {
            return SnapshotColumns.DuplicateProperty;
        }

        if (EncodeRow(json, coin, row, out var firstInvalid, out shape) is { } fieldReason)
        {
            return fieldReason;
        }

        return RequiredTextReason(coin, SnapshotColumns.Id) ?? RequiredTextReason(coin, SnapshotColumns.Symbol)
            ?? RequiredTextReason(coin, SnapshotColumns.Name)
            ?? CurrentPriceReason(json, coin)
            ?? (firstInvalid >= 0 ? SnapshotColumns.InvalidReason[firstInvalid] : null)
            ?? (coin.RoiInvalid ? SnapshotColumns.InvalidRoi : null)
            // A negative cap would push every other coin's dominance past 100 %.
            ?? AmountReason(json, coin, SnapshotColumns.MarketCap, SnapshotColumns.NegativeMarketCap, out marketCap)
            ?? AmountReason(json, coin, SnapshotColumns.TotalVolume, SnapshotColumns.NegativeTotalVolume, out volume)
            ?? RankReason(json, coin, out rank);
    }

    private static string? CurrentPriceReason(ReadOnlySpan<byte> json, CoinRecord coin)
    {
        var price = SnapshotColumns.CurrentPrice;
        return coin[price].Kind switch
        {
            SlotKind.Absent or SlotKind.Null => SnapshotColumns.MissingReason[price],
            SlotKind.Number when !JsonNumber.IsFinite(coin.Value(json, price)) => SnapshotColumns.InvalidReason[price],
            SlotKind.Number when JsonNumber.IsNegative(coin.Value(json, price)) => SnapshotColumns.NegativeCurrentPrice,
            SlotKind.Invalid => SnapshotColumns.InvalidReason[price],
            _ => null,
        };
    }

    /// <summary>An amount the metrics add up (market_cap, total_volume): readable and not negative, or null when absent.</summary>
    private static string? AmountReason(ReadOnlySpan<byte> json, CoinRecord coin, int column, string negativeReason, out double? amount)
    {
        amount = null;
        if (coin[column].Kind != SlotKind.Number)
        {
            return null;
        }

        if (!JsonNumber.TryParse(coin.Value(json, column), out var value))
        {
            return SnapshotColumns.InvalidReason[column];
        }

        if (value < 0)
        {
            return negativeReason;
        }

        amount = value;
        return null;
    }

    private static string? RankReason(ReadOnlySpan<byte> json, CoinRecord coin, out long? rank)
    {
        rank = null;
        if (coin[SnapshotColumns.MarketCapRank].Kind != SlotKind.Number)
        {
            return null;
        }

        // A whole-number column: the warehouse loads it as an integer.
        var text = coin.Value(json, SnapshotColumns.MarketCapRank);
        if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length)
        {
            return SnapshotColumns.InvalidReason[SnapshotColumns.MarketCapRank];
        }

        rank = value;
        return null;
    }

    /// <summary>Whether a rejected coin's id can go into the quality object as it is.</summary>
    private static bool HasPrintableId(ReadOnlySpan<byte> json, CoinRecord coin) =>
        coin.HasValue(SnapshotColumns.Id) && FieldValidation.CheckText(coin.Value(json, SnapshotColumns.Id)) == FieldProblem.None;

    private static string? RequiredTextReason(CoinRecord coin, int column) => coin[column] switch
    {
        { Kind: SlotKind.String or SlotKind.Unescaped, Length: > 0 } => null,
        { Kind: SlotKind.Invalid } => SnapshotColumns.InvalidReason[column],
        _ => SnapshotColumns.MissingReason[column],
    };
}
