namespace CryptoEtl.Core.Transform;

/// <summary>
/// How a row's fields wait in the spool: each as its length (7-bit varint) and its UTF-8 bytes,
/// written straight into the spool's chunk; CsvHelper encodes them when the CSV is written.
/// </summary>
internal static class FieldBuffer
{
    /// <summary>The bytes a field of <paramref name="length"/> bytes takes.</summary>
    public static int SizeOf(int length)
    {
        if (length < 0x80)
        {
            // Nearly every field: one length byte.
            return length + 1;
        }

        var size = 1;
        for (var rest = (uint)length; rest >= 0x80; rest >>= 7)
        {
            size++;
        }

        return size + length;
    }

    /// <summary>Writes one field at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        var length = (uint)value.Length;
        if (length < 0x80)
        {
            destination[0] = (byte)length;
            value.CopyTo(destination[1..]);
            return value.Length + 1;
        }

        var at = 0;
        while (length >= 0x80)
        {
            destination[at++] = (byte)(length | 0x80);
            length >>= 7;
        }

        destination[at++] = (byte)length;
        value.CopyTo(destination[at..]);
        return at + value.Length;
    }

    /// <summary>Takes the first field off <paramref name="fields"/>.</summary>
    public static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> fields)
    {
        if (fields[0] < 0x80)
        {
            var field = fields.Slice(1, fields[0]);
            fields = fields[(1 + field.Length)..];
            return field;
        }

        var length = 0;
        var shift = 0;
        byte b;
        var i = 0;
        do
        {
            b = fields[i++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);

        var value = fields.Slice(i, length);
        fields = fields[(i + length)..];
        return value;
    }
}
