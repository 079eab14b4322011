using CryptoEtl.Core;

namespace CryptoEtl.Testing;

/// <summary>The processed CSVs a store holds for a fetch time: every write of a snapshot has its own key (ObjectKeys.Csv).</summary>
public static class StoredCsv
{
    /// <summary>A fixed write id, for tests that put a CSV themselves.</summary>
    public const string WriteId = "019ad0a1b2c37d4e8f90a1b2c3d4e5f6";

    /// <summary>The CSV keys of <paramref name="fetchTime"/>, in write order.</summary>
    public static async Task<IReadOnlyList<string>> KeysAsync(IObjectStore store, DateTimeOffset fetchTime)
    {
        var keys = new List<string>();
        await foreach (var info in store.ListAsync(ObjectKeys.CsvStem(fetchTime), CancellationToken.None))
        {
            if (ObjectKeys.IsCsvOf(info.Key, fetchTime))
            {
                keys.Add(info.Key);
            }
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The one CSV of <paramref name="fetchTime"/>; fails when there is none or more.</summary>
    public static async Task<string> SingleKeyAsync(IObjectStore store, DateTimeOffset fetchTime) =>
        (await KeysAsync(store, fetchTime)) is [var key] ? key
            : throw new InvalidOperationException($"expected one CSV of {ObjectKeys.Iso(fetchTime)} in the store");
}
