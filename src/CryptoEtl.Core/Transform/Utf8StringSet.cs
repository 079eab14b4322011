using System.Buffers.Binary;
using System.IO.Hashing;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// A set of UTF-8 strings kept in one byte arena: the duplicate-id check for 500,000 coins costs
/// a few MB and no string per coin.
/// </summary>
internal sealed class Utf8StringSet
{
    // XxHash3 takes a short id in a few instructions (HashCode.AddBytes goes 4 bytes at a time
    // and was 5 % of a transform); the per-process seed keeps crafted ids from colliding on purpose.
    private static readonly long Seed = Random.Shared.NextInt64();

    // Sized for a full market (17,000 ids of ~20 bytes) so a sweep never regrows them; each slot
    // is 8 bytes (hash, arena offset + 1) so the table stays small enough to sit in cache.
    private byte[] _arena = GC.AllocateUninitializedArray<byte>(1 << 19);
    private int _arenaUsed;
    private ulong[] _slots = new ulong[1 << 15];
    private int _count;

    public int Count => _count;

    /// <summary>Adds <paramref name="value"/>; false when it was already there.</summary>
    public bool Add(ReadOnlySpan<byte> value)
    {
        var hash = HashOf(value);
        var mask = _slots.Length - 1;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                _slots[i] = ((ulong)hash << 32) | (uint)(Store(value) + 1);
                if (++_count * 4 > _slots.Length * 3)
                {
                    Grow();
                }

                return true;
            }

            if ((uint)(slot >> 32) == hash && Stored((int)(uint)slot - 1).SequenceEqual(value))
            {
                return false;
            }
        }
    }

    private static uint HashOf(ReadOnlySpan<byte> value) => (uint)XxHash3.HashToUInt64(value, Seed);

    /// <summary>The value stored at <paramref name="offset"/>: its length, then its bytes.</summary>
    private ReadOnlySpan<byte> Stored(int offset) =>
        _arena.AsSpan(offset + sizeof(int), BinaryPrimitives.ReadInt32LittleEndian(_arena.AsSpan(offset)));

    private int Store(ReadOnlySpan<byte> value)
    {
        var size = sizeof(int) + value.Length;
        if (_arenaUsed + size > _arena.Length)
        {
            var larger = GC.AllocateUninitializedArray<byte>(Math.Max(_arena.Length * 2, _arenaUsed + size));
            _arena.AsSpan(0, _arenaUsed).CopyTo(larger);
            _arena = larger;
        }

        var offset = _arenaUsed;
        BinaryPrimitives.WriteInt32LittleEndian(_arena.AsSpan(offset), value.Length);
        value.CopyTo(_arena.AsSpan(offset + sizeof(int)));
        _arenaUsed += size;
        return offset;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new ulong[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot == 0)
            {
                continue;
            }

            var i = (int)(slot >> 32) & mask;
            while (_slots[i] != 0)
            {
                i = (i + 1) & mask;
            }

            _slots[i] = slot;
        }
    }
}
