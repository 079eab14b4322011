using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.Core.CoinGecko;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.Snowflake;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Cli;

/// <summary>Where Load writes.</summary>
public enum WarehouseKind
{
    /// <summary>DATA_DIR/warehouse.duckdb, embedded.</summary>
    DuckDb,

    /// <summary>Snowflake through its SQL API, from the SNOWFLAKE_* settings.</summary>
    Snowflake,
}

/// <summary>What the CLI composes the steps from: a data folder, a store, a CoinGecko endpoint, a warehouse.</summary>
public sealed record PipelineSettings
{
    public required string DataDir { get; init; }

    /// <summary>s3://bucket[/prefix], file:///path or a folder; null means DATA_DIR/objects.</summary>
    public string? Store { get; init; }

    public string? S3Endpoint { get; init; }

    public string? CoinGeckoUrl { get; init; }

    /// <summary>CoinGecko calls per minute; null means the key tier's default.</summary>
    public double? CallsPerMinute { get; init; }

    public bool Offline { get; init; }

    public WarehouseKind Warehouse { get; init; } = WarehouseKind.DuckDb;

    public string ObjectsDir => Path.Combine(DataDir, "objects");

    public string DatabasePath => Path.Combine(DataDir, "warehouse.duckdb");
}

/// <summary>
/// Composes the three steps over local adapters: a folder laid out like the bucket and an
/// embedded DuckDB file (or S3 and Snowflake). The same step classes the Lambda functions run.
/// </summary>
public sealed class LocalPipeline : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient? _snowflakeHttp;

    public LocalPipeline(PipelineSettings settings, Func<string, string?> getEnvironment, IExtractObserver? extractObserver = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(getEnvironment);
        Settings = settings;
        // Options given on the command line win over the environment; both go through the same parsers.
        string? Setting(string name) => name switch
        {
            SettingNames.Store => settings.Store ?? getEnvironment(name) ?? settings.ObjectsDir,
            SettingNames.S3Endpoint => settings.S3Endpoint ?? getEnvironment(name),
            SettingNames.CoinGeckoApiUrl when settings.CoinGeckoUrl is { } url => url,
            // The recorded market answers at memory speed: no reason to pace it.
            SettingNames.CoinGeckoRatePerMinute when settings.Offline => "60000",
            SettingNames.CoinGeckoRatePerMinute when settings.CallsPerMinute is { } rate => rate.ToString("R", CultureInfo.InvariantCulture),
            _ => getEnvironment(name),
        };

        Store = ObjectStoreFactory.FromEnvironment(Setting);
        if (settings.Warehouse == WarehouseKind.Snowflake)
        {
            var snowflake = SnowflakeOptionsFor(Store, Setting);
            _snowflakeHttp = new HttpClient();
            Warehouse = new SnowflakeWarehouse(_snowflakeHttp, snowflake, TimeProvider.System);
        }
        else
        {
            Warehouse = new DuckDbWarehouse(settings.DatabasePath, Store);
        }

        var options = CoinGeckoOptions.FromEnvironment(Setting, settings.Offline ? null : getEnvironment(SettingNames.CoinGeckoApiKey));
        // The production handler: gzip/brotli (a full sweep is ~6x smaller on the wire) and a connect timeout.
        _http = new HttpClient(settings.Offline ? RecordedMarket.CreateHandler() : CoinGeckoClient.CreateDefaultHandler());
        Extract = new ExtractStep(new CoinGeckoClient(_http, options, TimeProvider.System, extractObserver), Store, TimeProvider.System);
        Transform = new TransformStep(Store);
        Load = new LoadStep(Store, Warehouse);
    }

    public PipelineSettings Settings { get; }

    public IObjectStore Store { get; }

    /// <summary>A <see cref="DuckDbWarehouse"/> or a <see cref="SnowflakeWarehouse"/>, as the settings say.</summary>
    public IWarehouse Warehouse { get; }

    public ExtractStep Extract { get; }

    public TransformStep Transform { get; }

    public LoadStep Load { get; }

    /// <summary>The state machine's functions, by placeholder name, running these steps in process.</summary>
    public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions => new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>
    {
        ["ExtractFunctionArn"] = TypedFunction.Create(ContractsJsonContext.Default.ExtractInput, ContractsJsonContext.Default.ExtractOutput,
            (input, ct) => Extract.RunAsync(input, null, ct)),
        ["TransformFunctionArn"] = TypedFunction.Create(ContractsJsonContext.Default.TransformInput, ContractsJsonContext.Default.TransformOutput, Transform.RunAsync),
        ["LoadFunctionArn"] = TypedFunction.Create(ContractsJsonContext.Default.LoadInput, ContractsJsonContext.Default.LoadOutput, Load.RunAsync),
    };

    public void Dispose()
    {
        _http.Dispose();
        _snowflakeHttp?.Dispose();
    }

    /// <summary>
    /// COPY reads the CSV from Snowflake's external stage on the bucket's processed/ prefix, never
    /// from this machine: a store Snowflake cannot see would load nothing, so refuse it up front.
    /// </summary>
    private static SnowflakeOptions SnowflakeOptionsFor(IObjectStore store, Func<string, string?> setting) =>
        store is S3ObjectStore
            ? SnowflakeOptions.FromEnvironmentWithKeyFile(setting)
            : throw new PipelineException(ErrorNames.Configuration,
                $"--warehouse snowflake loads from Snowflake's external stage on the bucket's processed/ prefix, so it needs "
                + $"--store s3://bucket[/prefix] (or {SettingNames.Store}) naming the bucket that stage reads; the store is {store.Location}");
}

/// <summary>statemachine/crypto_etl.asl.json, embedded in the binary: the definition AWS runs too.</summary>
public static class EmbeddedStateMachine
{
    public static StateMachineDefinition Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("crypto_etl.asl.json")
            ?? throw new InvalidOperationException("the state machine definition is missing from this build");
        using var reader = new StreamReader(stream);
        return StateMachineDefinition.Parse(reader.ReadToEnd());
    }
}

/// <summary>The recorded market shipped in the binary for `run --offline` (see Recorded/README.md).</summary>
public static class RecordedMarket
{
    public static HttpMessageHandler CreateHandler() =>
        new RecordedCoinGeckoHandler([Read("Recorded.coins_markets_usd_page1.json")], Read("Recorded.global.json"));

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the recorded market resource {name} is missing from this build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
