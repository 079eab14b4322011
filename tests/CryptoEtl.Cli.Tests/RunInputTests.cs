using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>`run --input` is Extract's input, parsed by the same strict parser as `extract --input`.</summary>
public sealed class RunInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("run", """{"vs_curency":"eur"}""", "vs_curency")]
    [InlineData("run", """{"page":3}""", "page")]
    [InlineData("extract", """{"vs_curency":"eur"}""", "vs_curency")]
    [InlineData("extract", """{"page":3}""", "page")]
    public async Task A_misspelt_or_unknown_field_is_refused_naming_it_before_anything_runs(string command, string input, string field)
    {
        var (exit, output, error) = await CliRunner.RunAsync(command, "--offline", "--data-dir", _dir.FullPath, "--input", input);

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: {ErrorNames.InvalidInput}: --input is not a valid {nameof(ExtractInput)}: ", error, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Extract", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.FullPath));
    }

    [Fact]
    public async Task Known_fields_and_options_still_combine_with_options_winning()
    {
        var (exit, output, error) = await CliRunner.RunAsync(
            "run", "--offline", "--data-dir", _dir.FullPath, "--input", """{"pages":5,"vs_currency":"usd","fetch_time":"2024-12-19T10:45:00Z"}""", "--pages", "1");

        Assert.True(exit == 0, error + output);
        // One page asked for (the option beat --input's 5): the recording's page 1, 250 coins.
        Assert.True(File.Exists(_dir.Combine("objects", "raw", "2024", "12", "19", "raw_crypto_data_2024-12-19T10-45-00Z.json")));
        Assert.Matches(@"pages\s+│\s+1\s", output);
    }
}
