using System.IO.Hashing;
using System.Runtime.InteropServices;

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

    // Sized for a full market (17,000 ids of ~20 bytes) so a sweep never regrows them.
    private byte[] _arena = new byte[1 << 19];
    private int _arenaUsed;
    private Entry[] _entries = new Entry[1 << 16];
    private int _count;

    public int Count => _count;

    /// <summary>Adds <paramref name="value"/>; false when it was already there.</summary>
    public bool Add(ReadOnlySpan<byte> value)
    {
        var hash = HashOf(value);
        var mask = _entries.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var entry = ref _entries[i];
            if (entry.Length == 0)
            {
                entry = new Entry(hash, Store(value), value.Length + 1);
                if (++_count * 2 > _entries.Length)
                {
                    Grow();
                }

                return true;
            }

            if (entry.Hash == hash && _arena.AsSpan(entry.Offset, entry.Length - 1).SequenceEqual(value))
            {
                return false;
            }
        }
    }

    private static int HashOf(ReadOnlySpan<byte> value) => (int)XxHash3.HashToUInt64(value, Seed) & int.MaxValue;

    private int Store(ReadOnlySpan<byte> value)
    {
        if (_arenaUsed + value.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + value.Length));
        }

        var offset = _arenaUsed;
        value.CopyTo(_arena.AsSpan(offset));
        _arenaUsed += value.Length;
        return offset;
    }

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        var mask = _entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Length == 0)
            {
                continue;
            }

            var i = entry.Hash & mask;
            while (_entries[i].Length != 0)
            {
                i = (i + 1) & mask;
            }

            _entries[i] = entry;
        }
    }

    // Length is the value's length + 1, so 0 marks a free slot and "" can be stored.
    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Entry(int Hash, int Offset, int Length);
}
