using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>
/// The options that say where a pipeline runs (data folder, store, CoinGecko, warehouse), defined once and
/// turned into <see cref="PipelineSettings"/> the same way for `run` and each step.
/// </summary>
public sealed class PipelineOptions
{
    private const string SnowflakeWarehouseName = "snowflake";

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "Local data folder: objects/ (laid out like the bucket, unless --store says otherwise) and warehouse.duckdb",
        DefaultValueFactory = _ => "data",
    };

    public Option<string?> Store { get; } = new("--store")
    {
        Description = $"Object store: s3://bucket[/prefix], file:///path or a folder (env {SettingNames.Store}; default DATA_DIR/objects)",
    };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint")
    {
        Description = $"An S3-compatible endpoint such as http://127.0.0.1:5000 (env {SettingNames.S3Endpoint})",
    };

    public Option<string?> CoinGeckoUrl { get; } = new("--coingecko-url")
    {
        Description = $"CoinGecko API base URL (env {SettingNames.CoinGeckoApiUrl}; default https://api.coingecko.com/api/v3)",
    };

    public Option<double?> Rate { get; } = new("--rate")
    {
        Description = $"CoinGecko calls per minute (env {SettingNames.CoinGeckoRatePerMinute}; default by key tier: keyless 10, demo 30, pro 250)",
    };

    public Option<bool> Offline { get; } = new("--offline")
    {
        Description = "Replay the recorded market shipped with cryptoetl instead of calling CoinGecko",
    };

    public Option<string> Warehouse { get; } = CreateWarehouseOption();

    /// <summary>Adds the options; CoinGecko's only where a step fetches, the warehouse only where one loads.</summary>
    public void AddTo(Command command, bool withCoinGecko, bool withWarehouse)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(DataDir);
        command.Options.Add(Store);
        command.Options.Add(S3Endpoint);
        if (withCoinGecko)
        {
            command.Options.Add(CoinGeckoUrl);
            command.Options.Add(Rate);
            command.Options.Add(Offline);
        }

        if (withWarehouse)
        {
            command.Options.Add(Warehouse);
        }
    }

    public PipelineSettings Read(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return new PipelineSettings
        {
            DataDir = parsed.GetValue(DataDir)!,
            Store = parsed.GetValue(Store),
            S3Endpoint = parsed.GetValue(S3Endpoint),
            CoinGeckoUrl = parsed.GetValue(CoinGeckoUrl),
            CallsPerMinute = parsed.GetValue(Rate),
            Offline = parsed.GetValue(Offline),
            // Commands without --warehouse read null: they never load.
            Warehouse = parsed.GetValue(Warehouse) == SnowflakeWarehouseName ? WarehouseKind.Snowflake : WarehouseKind.DuckDb,
        };
    }

    private static Option<string> CreateWarehouseOption()
    {
        var option = new Option<string>("--warehouse")
        {
            Description = "Where Load writes: duckdb (DATA_DIR/warehouse.duckdb) or snowflake (SNOWFLAKE_* settings; "
                + "needs --store s3://bucket[/prefix], the bucket Snowflake's stage reads; see docs/snowflake.md)",
            DefaultValueFactory = _ => "duckdb",
        };
        option.AcceptOnlyFromAmong("duckdb", SnowflakeWarehouseName);
        return option;
    }

    public static Option<string?> Input(string description) => new("--input") { Description = description };

    /// <summary>The --input text: as given, or stdin for "-"; null when there is none.</summary>
    public static async Task<string?> InputTextAsync(string? input, CancellationToken ct) =>
        input == "-" ? await Console.In.ReadToEndAsync(ct) : input;
}

public static partial class Commands
{
    public static IEnumerable<Command> All(CliConsole console) =>
    [
        RunCommand.Create(console),
        StepCommand(console, "extract", "Fetch CoinGecko pages into a raw object; prints the Extract output JSON",
            ContractsJsonContext.Default.ExtractInput, ContractsJsonContext.Default.ExtractOutput, withCoinGecko: true, withWarehouse: false,
            (pipeline, input, ct) => pipeline.Extract.RunAsync(input ?? new ExtractInput(), null, ct)),
        StepCommand(console, "transform", "Clean a raw object and write the CSV; prints the Transform output JSON",
            ContractsJsonContext.Default.TransformInput, ContractsJsonContext.Default.TransformOutput, withCoinGecko: false, withWarehouse: false,
            (pipeline, input, ct) => pipeline.Transform.RunAsync(Required(input, "transform"), ct)),
        StepCommand(console, "load", "Load a CSV into the warehouse (local DuckDB, or Snowflake); prints the Load output JSON",
            ContractsJsonContext.Default.LoadInput, ContractsJsonContext.Default.LoadOutput, withCoinGecko: false, withWarehouse: true,
            (pipeline, input, ct) => pipeline.Load.RunAsync(Required(input, "load"), ct)),
        QueryCommand.Create(console),
        ReportCommand.Create(console),
        ServeCommand.Create(console),
    ];

    /// <summary>One step, with the same input JSON its Lambda takes and the same output JSON on stdout.</summary>
    private static Command StepCommand<TIn, TOut>(
        CliConsole console,
        string name,
        string description,
        JsonTypeInfo<TIn> inputType,
        JsonTypeInfo<TOut> outputType,
        bool withCoinGecko,
        bool withWarehouse,
        Func<LocalPipeline, TIn?, CancellationToken, Task<TOut>> run)
        where TIn : class
    {
        var options = new PipelineOptions();
        var input = PipelineOptions.Input("The step's input JSON (the same the Lambda function takes); '-' reads it from stdin");
        var command = new Command(name, description) { input };
        options.AddTo(command, withCoinGecko, withWarehouse);
        command.SetAction(async (parsed, ct) =>
        {
            var settings = options.Read(parsed);
            var stepInput = await ReadInputAsync(parsed.GetValue(input), inputType, ct);
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment);
            var output = await run(pipeline, stepInput, ct);
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(output, outputType));
            return 0;
        });
        return command;
    }

    public static async Task<T?> ReadInputAsync<T>(string? input, JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        if (await PipelineOptions.InputTextAsync(input, ct) is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, type)
                ?? throw new PipelineException(ErrorNames.InvalidInput, "--input is JSON null; give an object");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"--input is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static T Required<T>(T? input, string step)
        where T : class =>
        input ?? throw new PipelineException(ErrorNames.InvalidInput, $"{step} needs --input (the JSON the previous step printed)");
}
