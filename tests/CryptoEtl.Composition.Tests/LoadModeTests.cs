using CryptoEtl.Core;
using CryptoEtl.Snowflake;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Composition.Tests;

public sealed class LoadModeTests
{
    private static PipelineComposition Pipeline(string? loadMode) =>
        new(Settings.FromEnvironment(name => name switch
        {
            SettingNames.Store => "s3://cryptoetl-data",
            // Only so the S3 store can be made; nothing here calls it.
            SettingNames.S3Endpoint => "http://127.0.0.1:1",
            SettingNames.LoadMode => loadMode,
            _ => null,
        }));

    private static SnowflakeWarehouse Copy(PipelineComposition pipeline, HttpClient http) =>
        new(http, TestKeys.Options(new Uri("http://127.0.0.1:1")), pipeline.Time);

    [Theory]
    [InlineData(null)]
    [InlineData("copy")]
    [InlineData(" COPY ")]
    public void Copy_mode_loads_through_the_warehouse_itself(string? mode)
    {
        using var pipeline = Pipeline(mode);
        using var http = new HttpClient();
        var copy = Copy(pipeline, http);

        Assert.Equal(LoadMode.Copy, pipeline.LoadMode);
        Assert.Same(copy, pipeline.LoadTarget(copy));
    }

    [Fact]
    public void Pipe_mode_confirms_snowpipe_on_the_same_account_and_table()
    {
        using var pipeline = Pipeline("pipe");
        using var http = new HttpClient();
        var copy = Copy(pipeline, http);

        var target = Assert.IsType<SnowpipeWarehouse>(pipeline.LoadTarget(copy));

        Assert.Equal(copy.Table, target.Table);
        Assert.Equal("CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_PIPE", target.Pipe);
    }

    [Fact]
    public void Another_mode_is_a_configuration_error_naming_the_setting()
    {
        using var pipeline = Pipeline("stream");

        var error = Assert.Throws<PipelineException>(() => pipeline.LoadMode);

        Assert.Equal(ErrorNames.Configuration, error.ErrorName);
        Assert.Contains(SettingNames.LoadMode, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"stream\"", error.Message, StringComparison.Ordinal);
    }
}
