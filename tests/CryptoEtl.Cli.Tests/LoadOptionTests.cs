using System.CommandLine;
using CryptoEtl.Core;

namespace CryptoEtl.Cli.Tests;

public sealed class LoadOptionTests
{
    private static (PipelineOptions Options, ParseResult Parsed) Parse(params string[] args)
    {
        var options = new PipelineOptions();
        var command = new RootCommand();
        options.AddTo(command, withCoinGecko: false, withWarehouse: true);
        return (options, command.Parse(args));
    }

    [Fact]
    public void Load_pipe_becomes_the_load_mode_setting_over_the_environment()
    {
        var (options, parsed) = Parse("--warehouse", "snowflake", "--load", "pipe");

        Assert.Empty(parsed.Errors);
        var settings = options.Read(parsed).ToSettings(name => name == SettingNames.LoadMode ? "copy" : null);
        Assert.Equal("pipe", settings.Get(SettingNames.LoadMode));
    }

    [Fact]
    public void Without_load_the_environment_decides()
    {
        var (options, parsed) = Parse("--warehouse", "snowflake");

        var settings = options.Read(parsed).ToSettings(name => name == SettingNames.LoadMode ? "pipe" : null);
        Assert.Equal("pipe", settings.Get(SettingNames.LoadMode));
    }

    [Fact]
    public void Another_load_mode_is_refused_by_the_parser()
    {
        var (_, parsed) = Parse("--load", "stream");

        Assert.Contains(parsed.Errors, e => e.Message.Contains("stream", StringComparison.Ordinal));
    }
}
