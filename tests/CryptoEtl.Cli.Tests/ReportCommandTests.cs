using System.Text.RegularExpressions;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>`cryptoetl run` ends with the report; `cryptoetl report` rewrites it on demand.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_writes_the_report_and_prints_its_path()
    {
        var (exit, output, error) = await CliAsync("run", "--offline", "--data-dir", _dir.FullPath, "--input", """{"fetch_time":"2024-12-19T10:45:00Z"}""");

        Assert.True(exit == 0, error + output);
        var path = _dir.Combine("report.html");
        Assert.Contains($"report: {path}", output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(path);
        Assert.Equal(20, Regex.Count(html, "<rect class=\"bar\""));
        Assert.Contains("19 Dec 2024, 10:45 UTC", html, StringComparison.Ordinal);
        Assert.Contains(RawSnapshot.CoinGeckoAttribution, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_writes_where_it_is_told_and_prints_the_path()
    {
        Assert.Equal(0, (await CliAsync("run", "--offline", "--data-dir", _dir.FullPath, "--input", """{"fetch_time":"2024-12-19T09:45:00Z"}""")).Exit);
        Assert.Equal(0, (await CliAsync("run", "--offline", "--data-dir", _dir.FullPath, "--input", """{"fetch_time":"2024-12-19T10:45:00Z"}""")).Exit);
        var target = _dir.Combine("out", "market.html");

        var (exit, output, error) = await CliAsync("report", "--data-dir", _dir.FullPath, "--out", target);

        Assert.True(exit == 0, error + output);
        Assert.Equal(target, output.Trim());
        var html = await File.ReadAllTextAsync(target);
        Assert.Equal(4, Regex.Count(html, "<circle class=\"point\""));
        Assert.Contains("2 snapshots in the warehouse", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_without_a_warehouse_fails_with_one_line_and_writes_nothing()
    {
        var (exit, _, error) = await CliAsync("report", "--data-dir", _dir.FullPath);

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.InvalidInput}: no warehouse at {_dir.Combine("warehouse.duckdb")}", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("report.html")));
    }

    private static async Task<(int Exit, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CryptoEtlApp.RunAsync(args, CliConsole.ToWriters(output, error));
        return (exit, output.ToString(), error.ToString());
    }
}
