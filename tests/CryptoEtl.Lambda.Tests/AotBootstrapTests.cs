using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Lambda.Tests;

/// <summary>
/// The real Native AOT binaries, started the way Lambda starts them (AWS_LAMBDA_RUNTIME_API),
/// answering real events: S3 and SSM are moto, CoinGecko is a local server with recorded bytes.
/// </summary>
public sealed class AotBootstrapTests(MotoServer moto) : IClassFixture<MotoServer>, IAsyncLifetime
{
    private const string FetchTime = "2024-12-19T12:00:00Z";
    private const string RawKey = "raw/2024/12/19/raw_crypto_data_2024-12-19T12-00-00Z.json";
    private const string ApiKey = "CG-aot-test-key-7f3a";
    private FakeRuntimeApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeRuntimeApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Extract_then_Transform_bootstraps_turn_the_recorded_market_into_a_csv_in_S3()
    {
        var bucket = await moto.CreateBucketAsync();
        var store = $"s3://{bucket}/etl";
        var keyParameter = $"/cryptoetl-test/{Guid.NewGuid():N}/coingecko-api-key";
        await moto.Ssm.PutParameterAsync(new PutParameterRequest { Name = keyParameter, Value = ApiKey, Type = ParameterType.SecureString });
        var markets = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Markets250));
        var global = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Global));
        await using var coinGecko = await LocalHttpServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Request.Path.Value switch
            {
                "/api/v3/global" => context.Response.Body.WriteAsync(global).AsTask(),
                "/api/v3/coins/markets" => context.Response.Body.WriteAsync(markets).AsTask(),
                _ => Task.FromResult(context.Response.StatusCode = 404),
            };
        });

        using (var extract = new FunctionProcess(await PublishedFunctions.BootstrapAsync("extract"), _api, Settings(store, new()
        {
            [SettingNames.CoinGeckoApiUrl] = new Uri(coinGecko.BaseAddress, "api/v3").AbsoluteUri,
            [SettingNames.CoinGeckoRatePerMinute] = "6000",
            [SettingNames.CoinGeckoApiKeyParameter] = keyParameter,
        })))
        {
            _api.Enqueue(new("req-extract", DateTimeOffset.UtcNow.AddMinutes(5), $$"""{"pages":1,"fetch_time":"{{FetchTime}}"}"""));
            var outcome = await _api.NextOutcomeAsync();

            Assert.True(outcome.Kind == "response", $"{outcome.Kind}: {outcome.Body}\n{string.Join('\n', extract.Lines)}");
            var output = JsonSerializer.Deserialize(outcome.Body, ContractsJsonContext.Default.ExtractOutput)!;
            Assert.Equal((RawKey, 250, 1, true), (output.RawKey, output.Coins, output.Pages, output.Complete));
            Assert.Equal(250, Metric(extract, "CoinsExtracted"));
            // The key came from the SSM SecureString, went to CoinGecko in its header and nowhere else.
            Assert.All(coinGecko.Requests, r => Assert.Equal(ApiKey, r.Headers[CoinGeckoOptions.DemoKeyHeader]));
            Assert.DoesNotContain(extract.Lines, line => line.Contains(ApiKey, StringComparison.Ordinal));
        }

        using var raw = JsonDocument.Parse(await ReadObjectAsync(bucket, $"etl/{RawKey}"));
        Assert.Equal("bitcoin", raw.RootElement.GetProperty(RawSnapshot.Pages)[0][0].GetProperty("id").GetString());

        using var transform = new FunctionProcess(await PublishedFunctions.BootstrapAsync("transform"), _api, Settings(store, []));
        _api.Enqueue(new("req-transform", DateTimeOffset.UtcNow.AddMinutes(5), $$"""{"raw_key":"{{RawKey}}"}"""));
        _api.Enqueue(new("req-missing", DateTimeOffset.UtcNow.AddMinutes(5), """{"raw_key":"raw/2024/12/19/nothing.json"}"""));
        var transformed = await _api.NextOutcomeAsync();
        var missing = await _api.NextOutcomeAsync();

        Assert.True(transformed.Kind == "response", $"{transformed.Kind}: {transformed.Body}\n{string.Join('\n', transform.Lines)}");
        var result = JsonSerializer.Deserialize(transformed.Body, ContractsJsonContext.Default.TransformOutput)!;
        Assert.Equal(250, result.Rows + result.Rejected);
        var csv = Encoding.UTF8.GetString(await ReadObjectAsync(bucket, $"etl/{result.CsvKey}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(CryptoSchema.CsvHeader, csv[0].TrimEnd('\r'));
        Assert.Equal(result.Rows, csv.Length - 1);
        Assert.Equal(result.Rows, Metric(transform, "RowsTransformed"));

        // The same process answers the next event: a missing raw object is the documented error.
        Assert.Equal(("error", "req-missing", ErrorNames.ObjectNotFound), (missing.Kind, missing.RequestId, missing.ErrorTypeHeader));
        Assert.Contains("raw/2024/12/19/nothing.json", missing.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_bootstrap_without_its_key_parameter_posts_an_init_error_and_exits()
    {
        using var load = new FunctionProcess(await PublishedFunctions.BootstrapAsync("load"), _api, Settings("s3://no-such-bucket", new()
        {
            [SettingNames.SnowflakeAccount] = "xy12345",
        }));
        var outcome = await _api.NextOutcomeAsync();
        var exitCode = await load.WaitForExitAsync();

        Assert.Equal(("init/error", ErrorNames.Configuration), (outcome.Kind, outcome.ErrorTypeHeader));
        Assert.Contains($"{SettingNames.SnowflakePrivateKeyParameter} is not set", outcome.Body, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery.EndsWith("/invocation/next", StringComparison.Ordinal));
    }

    private Dictionary<string, string> Settings(string store, Dictionary<string, string> more)
    {
        var settings = new Dictionary<string, string>(moto.Environment)
        {
            [SettingNames.Store] = store,
            // The AWS SDK's own per-service endpoint setting: SSM is moto too.
            ["AWS_ENDPOINT_URL_SSM"] = moto.Endpoint.AbsoluteUri,
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return settings;
    }

    private async Task<byte[]> ReadObjectAsync(string bucket, string key)
    {
        using var response = await moto.S3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key });
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static double Metric(FunctionProcess function, string name) =>
        function.Lines.Where(l => l.Contains("\"_aws\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single()
            .GetProperty(name)
            .GetDouble();
}
