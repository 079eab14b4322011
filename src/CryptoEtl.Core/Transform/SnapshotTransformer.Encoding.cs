using System.Buffers;

namespace CryptoEtl.Core.Transform;

// A coin's fields, id to last_updated, encoded as CSV into the spool while they are checked.
internal sealed partial class SnapshotTransformer
{
    /// <summary>
    /// The most bytes a coin's row can take as CSV: every value quoted with every byte a quote, and
    /// the separators. Real rows take less than half; the spool only needs the room while it writes.
    /// </summary>
    private static int EncodedRowBound(CoinRecord coin) => (2 * coin.ValueBytes) + (3 * SnapshotColumns.CoinColumns.Length) + TimestampsMaxBytes;

    // A bare date (10 bytes) becomes 24 in the CSV.
    private static readonly int TimestampsMaxBytes = SnapshotColumns.IsTimestamp.Count(t => t) * UtcTimestamp.Length;

    /// <summary>
    /// Writes the row's fields from id to last_updated as CSV into <paramref name="row"/> (fetch
    /// time, currency and metrics are added when the CSV is written) and, in the same pass, finds
    /// the first field, in CSV order, that is too long, not UTF-8 (or not UTF-16 in its escapes) or
    /// holds a control character, and the first column of a type it cannot hold (else -1).
    /// </summary>
    private static string? EncodeRow(ReadOnlySpan<byte> json, CoinRecord coin, Span<byte> row, out int firstInvalid, out RowShape shape)
    {
        firstInvalid = -1;
        shape = default;
        var columns = SnapshotColumns.CoinColumns;
        var nulls = 0UL;
        var unreadable = 0UL;
        var at = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            if (i > 0)
            {
                row[at++] = (byte)',';
            }

            ref readonly var slot = ref coin[column];
            int written;
            switch (slot.Kind)
            {
                case SlotKind.Number when slot.Length > FieldValidation.MaxNumberBytes:
                    // The reader proved it a JSON number (never quoted); only its length can be wrong.
                    return SnapshotColumns.TooLongReason[column];
                case SlotKind.Number:
                    json.Slice(slot.Start, slot.Length).CopyTo(row[at..]);
                    at += slot.Length;
                    break;
                case SlotKind.String or SlotKind.Unescaped when slot.Length == 0:
                    nulls |= 1UL << column;
                    break;
                case SlotKind.String or SlotKind.Unescaped when SnapshotColumns.IsTimestamp[column]:
                    if (!EncodeTimestamp(coin.Value(json, column), row[at..], out written))
                    {
                        nulls |= 1UL << column;
                        unreadable |= 1UL << column;
                    }

                    at += written;
                    break;
                case SlotKind.String or SlotKind.Unescaped:
                    if (EncodeText(coin.Value(json, column), column, row[at..], out written) is { } problem)
                    {
                        return problem;
                    }

                    at += written;
                    break;
                case SlotKind.Undecodable:
                    return SnapshotColumns.InvalidEncodingReason[column];
                default:
                    // Absent, null, or of a type the column cannot hold (Invalid): null in the CSV.
                    firstInvalid = slot.Kind == SlotKind.Invalid && firstInvalid < 0 ? column : firstInvalid;
                    nulls |= 1UL << column;
                    break;
            }
        }

        shape = new RowShape(at, nulls, unreadable);
        return null;
    }

    /// <summary>
    /// Writes a timestamp in the one form both warehouses read; false (nothing written) when none
    /// could read it, which makes it null in the CSV, and said so.
    /// </summary>
    private static bool EncodeTimestamp(ReadOnlySpan<byte> text, Span<byte> destination, out int written)
    {
        switch (UtcTimestamp.Canonicalize(text, destination))
        {
            case UtcTimestamp.Result.Canonical:
                text.CopyTo(destination);
                written = text.Length;
                return true;
            case UtcTimestamp.Result.Rewritten:
                written = UtcTimestamp.Length;
                return true;
            default:
                written = 0;
                return false;
        }
    }

    /// <summary>Writes a text field, quoted when it must be; the rejection reason when the field can hold it no way.</summary>
    private static string? EncodeText(ReadOnlySpan<byte> text, int column, Span<byte> destination, out int written)
    {
        var display = SnapshotColumns.IsDisplayText[column];
        if (text.Length <= FieldValidation.MaxTextBytes && CsvFieldEncoding.IsPlain(text) && !(display && (text[0] == ' ' || text[^1] == ' ')))
        {
            text.CopyTo(destination);
            written = text.Length;
            return null;
        }

        written = 0;
        var problem = FieldValidation.CheckText(text);
        if (problem != FieldProblem.None)
        {
            return problem switch
            {
                FieldProblem.TooLong => SnapshotColumns.TooLongReason[column],
                FieldProblem.InvalidEncoding => SnapshotColumns.InvalidEncodingReason[column],
                _ => SnapshotColumns.ControlCharacterReason[column],
            };
        }

        if (!display)
        {
            written = CsvFieldEncoding.Write(destination, text);
            return null;
        }

        written = WriteDisplayText(destination, text) ?? 0;
        return written == 0 ? SnapshotColumns.MissingReason[column] : null;
    }

    /// <summary>Writes display text without its invisible characters; null when nothing visible is left.</summary>
    private static int? WriteDisplayText(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        var visible = InvisibleCharacters.Trim(text);
        if (!InvisibleCharacters.HasInner(visible))
        {
            return visible.IsEmpty ? null : CsvFieldEncoding.Write(destination, visible);
        }

        // Rare: a pooled buffer, no allocation per row.
        var scratch = ArrayPool<byte>.Shared.Rent(visible.Length);
        try
        {
            var length = InvisibleCharacters.RemoveInner(visible, scratch);
            return length == 0 ? null : CsvFieldEncoding.Write(destination, scratch.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
