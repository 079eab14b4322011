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

    /// <summary>The repository's root (the folder with CryptoEtl.sln), for tests that check the repo's own files.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CryptoEtl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no CryptoEtl.sln above {AppContext.BaseDirectory}");
    }
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
