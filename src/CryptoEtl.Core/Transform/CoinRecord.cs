using System.Text.Json;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// One coin as positions into the JSON buffer (never copied or turned into strings), indexed by
/// CSV column. Only valid until the reader's buffer moves on.
/// </summary>
internal sealed class CoinRecord
{
    private readonly Slot[] _slots = new Slot[CryptoSchema.Columns.Count];
    private byte[] _scratch = new byte[256];
    private int _scratchUsed;

    /// <summary>roi was neither null nor an object of the expected shape.</summary>
    public bool RoiInvalid { get; set; }

    /// <summary>roi was read (so a second roi is a repeated property).</summary>
    public bool RoiSeen { get; set; }

    /// <summary>A property the CSV takes appeared twice in the object.</summary>
    public bool RepeatedProperty { get; set; }

    public ref readonly Slot this[int column] => ref _slots[column];

    /// <summary>The bytes of all values set so far (their sum bounds the row's CSV size).</summary>
    public int ValueBytes { get; private set; }

    public void Clear()
    {
        Array.Clear(_slots);
        _scratchUsed = 0;
        ValueBytes = 0;
        RoiInvalid = false;
        RoiSeen = false;
        RepeatedProperty = false;
    }

    public void Set(int column, SlotKind kind, int start = 0, int length = 0)
    {
        ref var slot = ref _slots[column];
        slot.Kind = kind;
        slot.Start = start;
        slot.Length = length;
        ValueBytes += length;
    }

    /// <summary>Unescapes the reader's current string into scratch (an unescaped string is never longer).</summary>
    public void SetUnescaped(int column, ref Utf8JsonReader reader)
    {
        var needed = _scratchUsed + reader.ValueSpan.Length;
        if (needed > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(needed, _scratch.Length * 2));
        }

        int length;
        try
        {
            length = reader.CopyString(_scratch.AsSpan(_scratchUsed));
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader's answer to an escape that is no text (a lone \ud800): that coin is
            // rejected, the snapshot goes on.
            Set(column, SlotKind.Undecodable);
            return;
        }

        Set(column, SlotKind.Unescaped, _scratchUsed, length);
        _scratchUsed += length;
    }

    /// <summary>The bytes of a Number, String or Unescaped slot; empty for the others.</summary>
    public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> json, int column)
    {
        var slot = _slots[column];
        return slot.Kind switch
        {
            SlotKind.Number or SlotKind.String => json.Slice(slot.Start, slot.Length),
            SlotKind.Unescaped => _scratch.AsSpan(slot.Start, slot.Length),
            _ => default,
        };
    }

    public bool HasValue(int column) => _slots[column].Kind is SlotKind.Number or SlotKind.String or SlotKind.Unescaped;
}
