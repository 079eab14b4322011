using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Bench;

public static class BenchData
{
    public static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static string RawKey => ObjectKeys.Raw(FetchTime);

    /// <summary>Writes a synthetic market of <paramref name="coins"/> coins under <see cref="RawKey"/> in a folder store.</summary>
    public static string WriteRawSnapshot(string folder, int coins)
    {
        var path = Path.Combine(folder, RawKey.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            SyntheticMarket.Write(file, coins, fetchTime: FetchTime);
        }

        return RawKey;
    }

    /// <summary>Writes the awkward market (<see cref="AwkwardMarket"/>) of <paramref name="coins"/> coins under <see cref="RawKey"/>.</summary>
    public static string WriteAwkwardSnapshot(string folder, int coins)
    {
        var path = Path.Combine(folder, RawKey.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            AwkwardMarket.Write(file, coins, FetchTime);
        }

        return RawKey;
    }

    /// <summary>The raw object of a market in memory: the awkward one, or the tame synthetic one.</summary>
    public static byte[] RawSnapshot(int coins, bool awkward)
    {
        if (!awkward)
        {
            return RawSnapshot(coins);
        }

        using var buffer = new MemoryStream();
        AwkwardMarket.Write(buffer, coins, FetchTime);
        return buffer.ToArray();
    }

    public static byte[] RawSnapshot(int coins)
    {
        using var buffer = new MemoryStream();
        SyntheticMarket.Write(buffer, coins, fetchTime: FetchTime);
        return buffer.ToArray();
    }
}
