using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Composition.Tests;

public sealed class PipelineCompositionTests
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    // 429 is retried under the same requestId: docs.snowflake.com/en/developer-guide/sql-api/submitting-requests.
    [Fact]
    public async Task The_snowflake_it_builds_tells_each_retry_to_the_hosts_observer()
    {
        var time = new SteppingTimeProvider(FetchTime.AddMinutes(3));
        await using var snowflake = await FakeSnowflake.StartAsync($"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}", "XY12345.CRYPTO_ETL_LOADER_USER", time);
        snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.RateLimited(), Responses.Count(250));
        var environment = new Dictionary<string, string>
        {
            [SettingNames.Store] = "s3://crypto-etl-bucket",
            // Only named, never called: the S3 client needs an endpoint or a region to be built.
            [SettingNames.S3Endpoint] = "http://127.0.0.1:9",
            [SettingNames.SnowflakeAccount] = "xy12345.us-east-1",
            [SettingNames.SnowflakeUser] = "crypto_etl_loader_user",
            [SettingNames.SnowflakeWarehouse] = "CRYPTO_ETL_WH",
            [SettingNames.SnowflakeApiUrl] = snowflake.BaseAddress.ToString(),
        };
        using var pipeline = new PipelineComposition(Settings.FromEnvironment(environment.GetValueOrDefault), time);
        var retries = new RecordedRetries();

        var rows = await pipeline.Snowflake(TestKeys.PrivatePem, retries).CountRowsAsync(FetchTime, CancellationToken.None);

        Assert.Equal(250, rows);
        Assert.Empty(snowflake.Problems);
        var retry = Assert.Single(retries.Notices);
        Assert.Equal(new RetryNotice($"Snowflake submit at {snowflake.BaseAddress.Host}", 1, "HTTP 429", Assert.Single(time.Delays), false), retry);
    }
}
