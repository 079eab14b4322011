using System.Runtime.Versioning;
using System.Security.Cryptography;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// `query` and `report` on a warehouse they may not write (issue 15 item 15: a read-only mount).
/// Tests run as root, which ignores file modes, so chmod a-w alone proves nothing here: the tests
/// also assert that the folder holds exactly the same files with the same bytes and times after
/// the command (no WAL, no temp file, no rewritten header), and that DuckDB itself refuses a write
/// on the connection `query` opens (access_mode READ_ONLY), which holds for root too.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ReadOnlyWarehouseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        MakeWritable(_dir.FullPath);
        _dir.Dispose();
    }

    [Fact]
    public async Task Query_and_report_work_on_a_read_only_copy_and_change_nothing_in_it()
    {
        var readOnly = await ReadOnlyWarehouseAsync();
        var before = Snapshot(readOnly);
        var report = _dir.Combine("elsewhere", "report.html");

        var query = await CliRunner.RunAsync("query", "--data-dir", readOnly, "--format", "csv", "SELECT count(*) AS n FROM crypto_data");
        var written = await CliRunner.RunAsync("report", "--data-dir", readOnly, "--out", report);

        Assert.True(query.Exit == 0, query.Error);
        Assert.Equal("n\n100\n", query.Output);
        Assert.True(written.Exit == 0, written.Error);
        Assert.Contains("<svg", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(readOnly));
    }

    [Fact]
    public async Task Query_cannot_write_the_warehouse()
    {
        var readOnly = await ReadOnlyWarehouseAsync();
        var before = Snapshot(readOnly);

        var (exit, _, error) = await CliRunner.RunAsync("query", "--data-dir", readOnly, "CREATE TABLE x AS SELECT 1 AS a");

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.InvalidInput}: the query failed:", error, StringComparison.Ordinal);
        Assert.Contains("read-only", error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Snapshot(readOnly));
    }

    /// <summary>An offline run's data folder, copied and made read-only (a+w removed from the folder and its files).</summary>
    private async Task<string> ReadOnlyWarehouseAsync()
    {
        var source = _dir.Combine("source");
        var run = await CliRunner.RunAsync("run", "--offline", "--data-dir", source, "--input", """{"fetch_time":"2024-12-19T10:45:00Z"}""");
        Assert.True(run.Exit == 0, run.Error + run.Output);
        var target = _dir.Combine("readonly");
        Copy(source, target);
        foreach (var path in Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Append(target))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }

        return target;
    }

    private static void Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            Copy(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }

    private static void MakeWritable(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Every file under the folder with its hash and last write time, in path order.</summary>
    private static string Snapshot(string root) =>
        string.Join('\n', Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => $"{Path.GetRelativePath(root, path)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))} {File.GetLastWriteTimeUtc(path):O}"));
}
