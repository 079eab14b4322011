using System.Text.Json;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// Reads one coin object from a reader that may run out of data: <see cref="TryRead"/> returns
/// false when the buffer ends inside the coin, and the caller rewinds to the coin's start and
/// retries with more data. Nothing outside the record is changed before the coin is complete.
/// </summary>
internal sealed class CoinReader
{
    private const int MaxRememberedProperties = 128;

    // CoinGecko sends the properties of every coin in the same order, so the name seen at the
    // same position in the previous coin is almost always a match: one comparison per property.
    private readonly List<(byte[] Name, int Target)> _layout = [];

    /// <summary>Reads the coin whose StartObject the reader is on, through its EndObject.</summary>
    public bool TryRead(ref Utf8JsonReader reader, CoinRecord coin)
    {
        coin.Clear();
        var position = 0;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            var target = Match(ref reader, position++);
            if (!reader.Read())
            {
                return false;
            }

            if (IsRepeated(coin, target))
            {
                // {"id":"bitcoin",...,"id":"ethereum"}: neither value can be trusted; the first is
                // kept for the quality object and the coin is rejected (duplicate_property).
                coin.RepeatedProperty = true;
                target = SnapshotColumns.Unknown;
            }

            var complete = target switch
            {
                SnapshotColumns.Unknown => reader.TrySkip(),
                SnapshotColumns.Roi => TryReadRoi(ref reader, coin),
                _ => TryReadValue(ref reader, coin, target),
            };
            if (!complete)
            {
                return false;
            }
        }
    }

    /// <summary>Whether a property the CSV takes was already read in this coin (properties the CSV ignores are not tracked).</summary>
    private static bool IsRepeated(CoinRecord coin, int target) => target switch
    {
        SnapshotColumns.Unknown => false,
        SnapshotColumns.Roi => coin.RoiSeen,
        _ => coin[target].Kind != SlotKind.Absent,
    };

    private int Match(ref Utf8JsonReader reader, int position)
    {
        if (reader.ValueIsEscaped)
        {
            // Escaped property names do not occur in CoinGecko's output; take the slow path.
            var name = reader.GetString()!;
            return SnapshotColumns.Lookup(System.Text.Encoding.UTF8.GetBytes(name));
        }

        var span = reader.ValueSpan;
        if (position < _layout.Count && span.SequenceEqual(_layout[position].Name))
        {
            return _layout[position].Target;
        }

        var target = SnapshotColumns.Lookup(span);
        if (position < _layout.Count)
        {
            _layout[position] = (span.ToArray(), target);
        }
        else if (position == _layout.Count && position < MaxRememberedProperties)
        {
            _layout.Add((span.ToArray(), target));
        }

        return target;
    }

    private static bool TryReadValue(ref Utf8JsonReader reader, CoinRecord coin, int column)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                coin.Set(column, SlotKind.Null);
                return true;
            case JsonTokenType.Number when SnapshotColumns.IsNumeric[column]:
                coin.Set(column, SlotKind.Number, checked((int)reader.TokenStartIndex), reader.ValueSpan.Length);
                return true;
            case JsonTokenType.String when !SnapshotColumns.IsNumeric[column]:
                if (reader.ValueIsEscaped)
                {
                    coin.SetUnescaped(column, ref reader);
                }
                else
                {
                    // TokenStartIndex is the opening quote.
                    coin.Set(column, SlotKind.String, checked((int)reader.TokenStartIndex) + 1, reader.ValueSpan.Length);
                }

                return true;
            default:
                coin.Set(column, SlotKind.Invalid);
                return reader.TrySkip();
        }
    }

    private static bool TryReadRoi(ref Utf8JsonReader reader, CoinRecord coin)
    {
        coin.RoiSeen = true;
        if (reader.TokenType == JsonTokenType.Null)
        {
            coin.Set(SnapshotColumns.RoiTimes, SlotKind.Null);
            coin.Set(SnapshotColumns.RoiCurrency, SlotKind.Null);
            coin.Set(SnapshotColumns.RoiPercentage, SlotKind.Null);
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            coin.RoiInvalid = true;
            return reader.TrySkip();
        }

        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            var column = reader.ValueTextEquals("times"u8) ? SnapshotColumns.RoiTimes
                : reader.ValueTextEquals("currency"u8) ? SnapshotColumns.RoiCurrency
                : reader.ValueTextEquals("percentage"u8) ? SnapshotColumns.RoiPercentage
                : SnapshotColumns.Unknown;
            if (!reader.Read())
            {
                return false;
            }

            if (IsRepeated(coin, column))
            {
                coin.RepeatedProperty = true;
                column = SnapshotColumns.Unknown;
            }

            var complete = column == SnapshotColumns.Unknown ? reader.TrySkip() : TryReadValue(ref reader, coin, column);
            if (!complete)
            {
                return false;
            }

            if (column != SnapshotColumns.Unknown && coin[column].Kind == SlotKind.Invalid)
            {
                coin.RoiInvalid = true;
            }
        }
    }
}
