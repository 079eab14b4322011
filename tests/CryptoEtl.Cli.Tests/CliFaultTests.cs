using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// Issue 15 items 11 and 13 and the forced re-run, through the real `cryptoetl` entry point on the
/// offline market: each fault gets a named one-line error (or, after a committed load, a warning),
/// and nothing already loaded is lost.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class CliFaultTests : IDisposable
{
    private const string FetchTime = "2024-12-19T10:45:00Z";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string DataDir => _dir.Combine("data");

    // The CSV the offline run wrote (each write has its own key, ObjectKeys.Csv).
    private string CsvKey => Directory.GetFiles(Path.Combine(DataDir, "objects", "processed", "2024", "12", "19"), "*.csv") is [var path]
        ? Path.GetRelativePath(Path.Combine(DataDir, "objects"), path).Replace('\\', '/')
        : throw new InvalidOperationException("expected one CSV of the offline run");

    private string DatabasePath => Path.Combine(DataDir, "warehouse.duckdb");

    [Fact]
    public async Task A_data_dir_that_is_a_file_is_a_configuration_error_naming_it()
    {
        var file = _dir.Combine("notes.txt");
        await File.WriteAllTextAsync(file, "not a folder");

        var run = await CliRunner.RunAsync("run", "--offline", "--data-dir", file);
        var below = await CliRunner.RunAsync("query", "--data-dir", Path.Combine(file, "data"), "SELECT 1");

        Assert.Equal(1, run.Exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.Configuration}: --data-dir {file}: {file} is a file, not a folder", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, below.Exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.Configuration}: --data-dir {Path.Combine(file, "data")}: {file} is a file", below.Error, StringComparison.Ordinal);
        Assert.Equal("not a folder", await File.ReadAllTextAsync(file));
    }

    /// <summary>DuckDB read "q?x=1/warehouse.duckdb" as the file "q" with options, and wrote its WAL to "q.wal?x=1/...".</summary>
    [Fact]
    public async Task A_question_mark_in_the_data_dir_is_refused_by_name_and_no_other_file_is_opened()
    {
        var dataDir = _dir.Combine("q?x=1");

        var (exit, _, error) = await CliRunner.RunAsync("run", "--offline", "--data-dir", dataDir);

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.Configuration}: DuckDB cannot open {Path.Combine(dataDir, "warehouse.duckdb")} as written", error, StringComparison.Ordinal);
        // Refused before anything is written: no "q" database, no "q.wal?x=1" folder, not even the data folder.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.FullPath));
    }

    [Fact]
    public async Task Query_and_report_on_a_locked_warehouse_are_WarehouseUnavailable_naming_the_file_and_the_lock()
    {
        await OfflineRunAsync();

        (int Exit, string Output, string Error) query, report;
        await using (await FileLockHolder.LockAsync(DatabasePath))
        {
            query = await CliRunner.RunAsync("query", "--data-dir", DataDir, "SELECT count(*) FROM crypto_data");
            report = await CliRunner.RunAsync("report", "--data-dir", DataDir, "--out", _dir.Combine("report.html"));
        }

        foreach (var (exit, _, error) in new[] { query, report })
        {
            Assert.Equal(1, exit);
            Assert.StartsWith($"cryptoetl: {ErrorNames.WarehouseUnavailable}: {DatabasePath} is locked by another process", error, StringComparison.Ordinal);
        }

        Assert.Equal("100", await CountAsync("SELECT count(*) FROM crypto_data"));
    }

    [Fact]
    public async Task Transform_given_a_csv_key_is_a_short_RawObjectInvalid_naming_the_key_and_what_was_expected()
    {
        await OfflineRunAsync();
        Assert.True(new FileInfo(Path.Combine(DataDir, "objects", CsvKey)).Length > 20_000);

        var (exit, output, error) = await CliRunner.RunAsync("transform", "--data-dir", DataDir, "--input", $$"""{"raw_key":"{{CsvKey}}"}""");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"cryptoetl: {ErrorNames.RawObjectInvalid}: raw object {CsvKey} is not valid JSON (", error, StringComparison.Ordinal);
        Assert.Contains("expected the raw snapshot JSON object Extract writes under raw/", error, StringComparison.Ordinal);
        // A line, not the CSV: the key (with its 32-digit write id) and the reason.
        Assert.True(error.Length < 500, $"{error.Length} characters");
    }

    /// <summary>Issue 15 item 13: the summary step could not open the warehouse and `run` exited 1 after the rows were committed.</summary>
    [Fact]
    public async Task A_run_whose_summary_cannot_read_the_warehouse_says_the_rows_are_loaded_warns_and_exits_0()
    {
        // The lock is taken the moment the execution has succeeded (Load committed), before the
        // summary reads the warehouse: as a `cryptoetl query` started just then would.
        await using var output = new LockingWriter("Execution succeeded", DatabasePath);
        using var error = new StringWriter();

        var exit = await CryptoEtlApp.RunAsync(["run", "--offline", "--data-dir", DataDir, "--input", $$"""{"fetch_time":"{{FetchTime}}"}"""], CliConsole.ToWriters(output, error));
        await output.ReleaseAsync();

        Assert.True(output.WasLocked, error.ToString() + output);
        Assert.True(exit == 0, error.ToString() + output);
        Assert.Contains($"100 rows loaded into {DatabasePath}", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(
            $"cryptoetl: warning: the load succeeded (100 rows loaded into {DatabasePath}), but the summary or report failed: {ErrorNames.WarehouseUnavailable}: {DatabasePath} is locked",
            error.ToString(),
            StringComparison.Ordinal);
        Assert.Equal("100", await CountAsync("SELECT count(*) FROM crypto_data"));
    }

    /// <summary>
    /// The newcomer's first command. The recording is page 1 (100 coins) of a 13,180-coin market
    /// (src/CryptoEtl.RecordedCoinGecko/Recorded/global.json counts 13180 active); the run asks only
    /// the recorded page and stores the snapshot complete, with no end_doubt.
    /// </summary>
    [Fact]
    public async Task An_offline_run_asks_only_the_recorded_page_says_so_and_stores_a_complete_snapshot()
    {
        var (exit, output, error) = await CliRunner.RunAsync("run", "--offline", "--data-dir", DataDir, "--input", $$"""{"fetch_time":"{{FetchTime}}"}""");

        Assert.True(exit == 0, error + output);
        Assert.Equal("", error);
        Assert.Contains("offline: the recording holds 100 coins, 1 page(s) of 250; asking 1, not 2", output, StringComparison.Ordinal);
        Assert.Contains("Execution succeeded", output, StringComparison.Ordinal);
        var metadata = RawMetadata();
        Assert.True(metadata["complete"]!.GetValue<bool>());
        Assert.Null(metadata["end_doubt"]);
        Assert.Equal(100, metadata["coins"]!.GetValue<int>());
        Assert.Equal("100", await CountAsync("SELECT count(*) FROM crypto_data"));
    }

    /// <summary>docs/extract.md, the shrink rule: a re-run of the same fetch_time with under half the stored coins is refused unless forced.</summary>
    [Fact]
    public async Task A_forced_rerun_replaces_a_bigger_snapshot_and_an_unforced_one_is_refused()
    {
        await OfflineRunAsync();
        string[] smaller = ["run", "--offline", "--data-dir", DataDir, "--per-page", "40", "--pages", "1", "--input", $$"""{"fetch_time":"{{FetchTime}}"}"""];

        var refused = await CliRunner.RunAsync(smaller);
        var refusedRows = await CountAsync("SELECT count(*) FROM crypto_data");
        var forced = await CliRunner.RunAsync([.. smaller, "--force"]);

        Assert.Equal(1, refused.Exit);
        Assert.Contains($"{ErrorNames.InvalidInput}: raw/2024/12/19/raw_crypto_data_2024-12-19T10-45-00Z.json already holds 100 coins and this run got 40", refused.Error, StringComparison.Ordinal);
        Assert.Equal("100", refusedRows);
        Assert.True(forced.Exit == 0, forced.Error + forced.Output);
        Assert.Equal(40, RawMetadata()["coins"]!.GetValue<int>());
        Assert.Equal("40", await CountAsync("SELECT count(*) FROM crypto_data"));
    }

    /// <summary>
    /// A full disk during Load: before, DuckDB's failed commit was followed by a rollback of the
    /// finished transaction ("unexpected InvalidOperationException: Transaction has already been
    /// finished"). The disk is made full for the `load` child process alone by RLIMIT_FSIZE
    /// (`ulimit -f`, SIGXFSZ ignored so a write past it fails with EFBIG, "File too large"): no
    /// root, no mount. The limit (2 MiB) is above the warehouse file (about 0.5 MiB) so DuckDB's
    /// own file is never cut, and below the WAL of the 10,000-row snapshot it commits.
    /// </summary>
    [Fact]
    public async Task A_full_disk_during_load_is_a_named_error_and_the_snapshot_before_it_stays()
    {
        await OfflineRunAsync();
        Assert.True(new FileInfo(DatabasePath).Length < 1 << 20);
        // Load takes only the CSV of its fetch_time (docs/architecture.md): the bigger snapshot replaces it.
        var bigKey = CsvKey;
        var rows = await WriteBigCsvAsync(bigKey, copies: 100);
        var input = $$"""{"csv_key":"{{bigKey}}","fetch_time":"{{FetchTime}}","expected_rows":{{rows}}}""";

        var (exit, error) = await RunWithFileSizeLimitAsync(2048, "load", "--data-dir", DataDir, "--input", input);

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.WarehouseError}: DuckDB could not commit {bigKey} into {DatabasePath} (is its disk full?)", error, StringComparison.Ordinal);
        Assert.Contains("File too large", error, StringComparison.Ordinal);
        Assert.Contains("nothing of it was loaded, the rows already there are kept", error, StringComparison.Ordinal);
        Assert.Equal("100,0", await CountAsync("SELECT count(*), count(*) FILTER (id LIKE '%-copy-%') FROM crypto_data"));

        // The disk has room again: the same load succeeds, so the failed one left nothing in its way.
        var retry = await CliRunner.RunAsync("load", "--data-dir", DataDir, "--input", input);
        Assert.True(retry.Exit == 0, retry.Error);
        Assert.Equal($"{rows}", await CountAsync("SELECT count(*) FROM crypto_data"));
    }

    private async Task OfflineRunAsync()
    {
        var (exit, output, error) = await CliRunner.RunAsync("run", "--offline", "--data-dir", DataDir, "--input", $$"""{"fetch_time":"{{FetchTime}}"}""");
        Assert.True(exit == 0, error + output);
    }

    private JsonNode RawMetadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(DataDir, "objects", "raw/2024/12/19/raw_crypto_data_2024-12-19T10-45-00Z.json")))!["metadata"]!;

    private async Task<string> CountAsync(string sql)
    {
        var (exit, output, error) = await CliRunner.RunAsync("query", "--data-dir", DataDir, "--format", "csv", sql);
        Assert.True(exit == 0, error);
        return output.Split('\n')[1];
    }

    /// <summary>The offline snapshot's rows, each copied <paramref name="copies"/> times with ids "id-copy-N", as one CSV.</summary>
    private async Task<int> WriteBigCsvAsync(string key, int copies)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataDir, "objects", CsvKey));
        var big = new StringBuilder().Append(lines[0]).Append('\n');
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var line in lines.Skip(1))
            {
                // fetch_time,vs_currency,id,...: the first three fields never hold a comma.
                var fields = line.Split(',', 4);
                big.Append($"{fields[0]},{fields[1]},{fields[2]}-copy-{copy},{fields[3]}\n");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(DataDir, "objects", key), big.ToString());
        return (lines.Length - 1) * copies;
    }

    private static async Task<(int Exit, string Error)> RunWithFileSizeLimitAsync(int kibibytes, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            ArgumentList = { "-c", $"trap '' XFSZ; ulimit -f {kibibytes}; exec \"$0\" \"$@\"", "dotnet", Path.Combine(AppContext.BaseDirectory, "cryptoetl.dll") },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The runtime's W^X double mapping backs code with a file the limit would refuse ("Failed to create CoreCLR").
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }

    /// <summary>A console writer that has <see cref="FileLockHolder"/> lock a file the moment a given text has been written.</summary>
    private sealed class LockingWriter(string trigger, string path) : StringWriter
    {
        private FileLockHolder? _holder;

        public bool WasLocked { get; private set; }

        public override void Write(char value)
        {
            base.Write(value);
            LockOnTrigger();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            LockOnTrigger();
        }

        public override void Write(char[] buffer, int index, int count)
        {
            base.Write(buffer, index, count);
            LockOnTrigger();
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            base.Write(buffer);
            LockOnTrigger();
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            LockOnTrigger();
        }

        public override void WriteLine(ReadOnlySpan<char> buffer)
        {
            base.WriteLine(buffer);
            LockOnTrigger();
        }

        public async Task ReleaseAsync()
        {
            if (_holder is not null)
            {
                await _holder.DisposeAsync();
                _holder = null;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await base.DisposeAsync();
        }

        private void LockOnTrigger()
        {
            if (!WasLocked && GetStringBuilder().ToString().Contains(trigger, StringComparison.Ordinal))
            {
                // The console writes synchronously; the summary that follows must find the lock taken.
                _holder = FileLockHolder.LockAsync(path).GetAwaiter().GetResult();
                WasLocked = true;
            }
        }
    }
}
