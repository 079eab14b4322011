namespace CryptoEtl.Testing;

/// <summary>Files of the repository itself (templates, docs) for tests that check them; found from the test binary upwards.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
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
