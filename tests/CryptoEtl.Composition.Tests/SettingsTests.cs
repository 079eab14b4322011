using CryptoEtl.Core;

namespace CryptoEtl.Composition.Tests;

public sealed class SettingsTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        [SettingNames.Store] = "s3://from-env",
        [SettingNames.S3Endpoint] = "http://127.0.0.1:5000",
    };

    [Fact]
    public void A_command_line_value_wins_over_the_environment_which_wins_over_the_default()
    {
        var settings = Settings.FromEnvironment(Environment.GetValueOrDefault)
            .Override(SettingNames.Store, "/from/command/line")
            .Default(SettingNames.Store, "/default")
            .Default(SettingNames.S3Endpoint, "http://default")
            .Default(SettingNames.CoinGeckoApiUrl, "http://coingecko.default");

        Assert.Equal("/from/command/line", settings.Get(SettingNames.Store));
        Assert.Equal("http://127.0.0.1:5000", settings.Get(SettingNames.S3Endpoint));
        Assert.Equal("http://coingecko.default", settings.Get(SettingNames.CoinGeckoApiUrl));
        Assert.Null(settings.Get(SettingNames.CoinGeckoRatePerMinute));
    }

    [Fact]
    public void An_option_not_given_leaves_the_environment_value()
    {
        var settings = Settings.FromEnvironment(Environment.GetValueOrDefault).Override(SettingNames.Store, null);

        Assert.Equal("s3://from-env", settings.Get(SettingNames.Store));
    }

    [Fact]
    public void Snowflake_refuses_a_store_its_stage_cannot_read_naming_the_store()
    {
        using var temp = new CryptoEtl.Testing.TempDirectory();
        using var pipeline = new PipelineComposition(Settings.FromEnvironment(_ => null).Override(SettingNames.Store, temp.FullPath));

        var error = Assert.Throws<PipelineException>(() => pipeline.Snowflake("not read before the store is checked"));

        Assert.Equal(ErrorNames.Configuration, error.ErrorName);
        Assert.Contains(pipeline.Store.Location, error.Message, StringComparison.Ordinal);
        Assert.Contains("s3://bucket", error.Message, StringComparison.Ordinal);
    }
}
