namespace CryptoEtl.Testing;

/// <summary>Paths of the repo's test data (tests/data), copied next to every test binary.</summary>
public static class TestData
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    public static string CoinGecko(string fileName) => Path("coingecko", fileName);

    public const string Markets250 = "coins_markets_usd_p1_250_2024-12-19_sparkline_all_pct.json";
    public const string Markets57Minified = "coins_markets_usd_ids_57_2022-01-06_minified_null_rank.json";
    public const string Global = "global_2022-11-27.json";
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = Directory.CreateTempSubdirectory("cryptoetl-test-").FullName;
    }

    public string FullPath { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([FullPath, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a failing test; the OS cleans temp eventually.
        }
    }
}
