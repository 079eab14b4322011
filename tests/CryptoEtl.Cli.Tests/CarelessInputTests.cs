using System.Diagnostics;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// What a careless operator types gets a named error (never `unexpected Exception`) or does what
/// it says: intervals too long for a month, page counts that overflow, a schedule slower than its
/// interval, an empty data folder, a load mode DuckDB has not, and `report --out` onto things that
/// are not plain files.
/// </summary>
public sealed class CarelessInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("schedule", "50d")]
    [InlineData("plan", "10675200d")]
    [InlineData("plan", "9223372036854775807s")]
    public async Task An_interval_longer_than_a_month_is_refused_by_name(string command, string every)
    {
        string[] args = command == "schedule" ? ["--offline", "--data-dir", _dir.FullPath] : [];
        var (exit, _, error) = await CliRunner.RunAsync([command, "--every", every, .. args]);

        Assert.Equal(1, exit);
        Assert.Equal($"cryptoetl: CryptoEtl.InvalidInput: --every {every}: at most 31d (the month `plan` prices)", error.Trim());
    }

    [Fact]
    public async Task Plan_refuses_a_page_count_that_would_overflow()
    {
        var (exit, output, error) = await CliRunner.RunAsync("plan", "--every", "1h", "--pages", "2147483647");

        Assert.Equal(1, exit);
        Assert.Equal("cryptoetl: CryptoEtl.InvalidInput: --pages 2147483647: plan needs a number of pages, 1 to 1000 (the whole market is about 53 pages of 250 coins)", error.Trim());
        Assert.DoesNotContain("-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_exits_1_when_one_run_takes_longer_than_the_interval_at_the_tiers_rate()
    {
        // 70 pages + /global = 71 calls at 10 a minute: 7 trailing-minute windows of 61 s after the first 10 (docs/extract.md).
        var (exit, _, error) = await CliRunner.RunAsync("plan", "--every", "1m", "--pages", "70", "--tier", "keyless");

        Assert.Equal(1, exit);
        Assert.Equal(
            "cryptoetl: CryptoEtl.InvalidInput: each run makes 71 CoinGecko calls, which take at least 7.1 minutes at the keyless tier's 10 a minute: longer than every 1m, so runs would overlap; run less often, fetch fewer pages, or use another tier",
            error.Trim());
        Assert.Equal(0, (await CliRunner.RunAsync("plan", "--every", "8m", "--pages", "70", "--tier", "keyless")).Exit);
    }

    [Fact]
    public async Task An_empty_data_dir_is_a_configuration_error()
    {
        var (exit, _, error) = await CliRunner.RunAsync("run", "--offline", "--data-dir", "");

        Assert.Equal(1, exit);
        Assert.Equal("cryptoetl: CryptoEtl.Configuration: --data-dir is empty: give a folder (it is created when missing), or leave the option out for ./data", error.Trim());
    }

    [Fact]
    public async Task A_load_mode_without_snowflake_is_refused_instead_of_loading_DuckDB()
    {
        var (exit, _, error) = await CliRunner.RunAsync("run", "--offline", "--load", "pipe", "--data-dir", _dir.FullPath);

        Assert.Equal(1, exit);
        Assert.Equal("cryptoetl: CryptoEtl.Configuration: --load pipe is how Snowflake loads; it needs --warehouse snowflake (DuckDB, the default, always loads in one transaction)", error.Trim());
        Assert.False(File.Exists(_dir.Combine("warehouse.duckdb")));
    }

    [Fact]
    public async Task An_objects_folder_that_cannot_be_written_is_a_named_storage_error()
    {
        // A file where the raw/ folder goes: creating it fails as on a read-only objects/ folder (as root, permissions do not stop writes).
        Directory.CreateDirectory(_dir.Combine("objects"));
        await File.WriteAllTextAsync(_dir.Combine("objects", "raw"), "");

        var (exit, _, error) = await CliRunner.RunAsync("run", "--offline", "--data-dir", _dir.FullPath);

        Assert.Equal(1, exit);
        Assert.StartsWith("cryptoetl: CryptoEtl.StorageUnavailable: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_out_writes_through_a_FIFO_and_a_symlinks_target_instead_of_replacing_them()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("run", "--offline", "--data-dir", _dir.FullPath)).Exit);
        var fifo = _dir.Combine("report.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        // A reader on the FIFO, as `cryptoetl report --out pipe & cat pipe` would have.
        var read = Task.Run(() => File.ReadAllTextAsync(fifo));
        var (exit, output, error) = await CliRunner.RunAsync("report", "--data-dir", _dir.FullPath, "--out", fifo);

        Assert.True(exit == 0, error);
        Assert.StartsWith("<!doctype html>", await read.WaitAsync(TimeSpan.FromMinutes(1)), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(fifo, output.Trim());
        Assert.False(new FileInfo(fifo).Length > 0); // still a FIFO: a regular file would hold the page

        var target = _dir.Combine("real.html");
        await File.WriteAllTextAsync(target, "old");
        var link = _dir.Combine("link.html");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(0, (await CliRunner.RunAsync("report", "--data-dir", _dir.FullPath, "--out", link)).Exit);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.StartsWith("<!doctype html>", await File.ReadAllTextAsync(target), StringComparison.OrdinalIgnoreCase);
    }
}
