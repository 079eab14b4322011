namespace CryptoEtl.Core.Transform;

/// <summary>
/// One row's fields, each as its length (7-bit varint) and its UTF-8 bytes: the row waits in the
/// spool in this form and CsvHelper encodes it when the CSV is written.
/// </summary>
internal sealed class FieldBuffer
{
    private byte[] _buffer = new byte[1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Add(ReadOnlySpan<byte> value)
    {
        Reserve(5 + value.Length);
        var length = (uint)value.Length;
        while (length >= 0x80)
        {
            _buffer[Length++] = (byte)(length | 0x80);
            length >>= 7;
        }

        _buffer[Length++] = (byte)length;
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    /// <summary>Takes the first field off <paramref name="fields"/>.</summary>
    public static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> fields)
    {
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

    private void Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }
    }
}
