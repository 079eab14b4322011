namespace CryptoEtl.Core.Transform;

/// <summary>Where a coin property's value is: in the JSON buffer or the record's scratch buffer, by <see cref="Kind"/>.</summary>
internal struct Slot
{
    public int Start;
    public int Length;
    public SlotKind Kind;
}
