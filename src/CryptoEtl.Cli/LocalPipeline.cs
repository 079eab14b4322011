using System.Text.Json.Nodes;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Cli;

/// <summary>
/// The CLI's pipeline: the composition root's parts (the same the Lambda functions run) with the
/// CLI's choices on top: the recorded market for --offline, and DuckDB (or Snowflake) as the warehouse.
/// </summary>
public sealed class LocalPipeline : IDisposable
{
    private readonly PipelineComposition _composition;

    /// <summary>
    /// The extract observer hears CoinGecko's retries, waits and progress; the warehouse observer
    /// hears Snowflake's retries (DuckDB has none).
    /// </summary>
    public LocalPipeline(
        PipelineSettings settings, Func<string, string?> getEnvironment, IExtractView? extractObserver = null, IRetryObserver? warehouseObserver = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(getEnvironment);
        Settings = settings;
        _composition = new PipelineComposition(settings.ToSettings(getEnvironment));
        try
        {
            if (settings.Warehouse == WarehouseKind.Snowflake)
            {
                var snowflake = _composition.SnowflakeWithKeyFile(warehouseObserver);
                Warehouse = _composition.LoadTarget(snowflake);
                WarehouseDescription = $"Snowflake {snowflake.Table} ({_composition.LoadMode.ToString().ToLowerInvariant()})";
                Reader = snowflake;
            }
            else
            {
                var duckDb = new DuckDbWarehouse(settings.DatabasePath);
                Warehouse = duckDb;
                WarehouseDescription = duckDb.DatabasePath;
                LocalDatabasePath = duckDb.DatabasePath;
                Reader = duckDb;
            }

            var coinGecko = _composition.CoinGeckoOptions(settings.Offline ? null : _composition.Settings.Secret(SettingNames.CoinGeckoApiKey));
            Extract = _composition.Extract(coinGecko, settings.Offline ? RecordedMarket.CreateHandler() : null, extractObserver, extractObserver);
            Transform = _composition.Transform();
            Load = _composition.Load(Warehouse);
        }
        catch
        {
            _composition.Dispose();
            throw;
        }
    }

    public PipelineSettings Settings { get; }

    public IObjectStore Store => _composition.Store;

    /// <summary>DuckDB or Snowflake, as the settings say.</summary>
    public IWarehouse Warehouse { get; }

    /// <summary>The DuckDB file path, or "Snowflake DB.SCHEMA.TABLE".</summary>
    public string WarehouseDescription { get; }

    /// <summary>The DuckDB file the HTML report reads; null when Load writes to Snowflake.</summary>
    public string? LocalDatabasePath { get; }

    /// <summary>Reads back whichever warehouse this pipeline loads (run's top 10 by dominance).</summary>
    public IWarehouseReader Reader { get; }

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

    public void Dispose() => _composition.Dispose();
}
