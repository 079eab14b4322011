using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>The options several commands share, defined once.</summary>
public static class CommonOptions
{
    public static Option<string> DataDir() => new("--data-dir")
    {
        Description = "Local data folder: objects/ (laid out like the bucket) and warehouse.duckdb",
        DefaultValueFactory = _ => "data",
    };

    public static Option<string?> Input() => new("--input")
    {
        Description = "The step's input JSON (the same the Lambda function takes); '-' reads it from stdin",
    };

    public static Option<string?> CoinGeckoUrl() => new("--coingecko-url")
    {
        Description = $"CoinGecko API base URL (env {SettingNames.CoinGeckoApiUrl}; default https://api.coingecko.com/api/v3)",
    };

    public static Option<double?> Rate() => new("--rate")
    {
        Description = $"CoinGecko calls per minute (env {SettingNames.CoinGeckoRatePerMinute}; default by key tier: keyless 10, demo 30, pro 250)",
    };

    public static Option<bool> Offline() => new("--offline")
    {
        Description = "Replay the recorded market shipped with cryptoetl instead of calling CoinGecko",
    };
}

public static partial class Commands
{
    public static IEnumerable<Command> All(CliConsole console) =>
    [
        RunCommand.Create(console),
        StepCommand(console, "extract", "Fetch CoinGecko pages into a raw object; prints the Extract output JSON",
            ContractsJsonContext.Default.ExtractInput, ContractsJsonContext.Default.ExtractOutput, withCoinGecko: true,
            (pipeline, input, ct) => pipeline.Extract.RunAsync(input ?? new ExtractInput(), null, ct)),
        StepCommand(console, "transform", "Clean a raw object and write the CSV; prints the Transform output JSON",
            ContractsJsonContext.Default.TransformInput, ContractsJsonContext.Default.TransformOutput, withCoinGecko: false,
            (pipeline, input, ct) => pipeline.Transform.RunAsync(Required(input, "transform"), ct)),
        StepCommand(console, "load", "Load a CSV into the local DuckDB warehouse; prints the Load output JSON",
            ContractsJsonContext.Default.LoadInput, ContractsJsonContext.Default.LoadOutput, withCoinGecko: false,
            (pipeline, input, ct) => pipeline.Load.RunAsync(Required(input, "load"), ct)),
        QueryCommand.Create(console),
        ReportCommand.Create(console),
    ];

    /// <summary>One step, with the same input JSON its Lambda takes and the same output JSON on stdout.</summary>
    private static Command StepCommand<TIn, TOut>(
        CliConsole console,
        string name,
        string description,
        JsonTypeInfo<TIn> inputType,
        JsonTypeInfo<TOut> outputType,
        bool withCoinGecko,
        Func<LocalPipeline, TIn?, CancellationToken, Task<TOut>> run)
        where TIn : class
    {
        var dataDir = CommonOptions.DataDir();
        var input = CommonOptions.Input();
        var coinGeckoUrl = CommonOptions.CoinGeckoUrl();
        var rate = CommonOptions.Rate();
        var offline = CommonOptions.Offline();
        var command = new Command(name, description) { dataDir, input };
        if (withCoinGecko)
        {
            command.Options.Add(coinGeckoUrl);
            command.Options.Add(rate);
            command.Options.Add(offline);
        }

        command.SetAction(async (parsed, ct) =>
        {
            var settings = new PipelineSettings
            {
                DataDir = parsed.GetValue(dataDir)!,
                CoinGeckoUrl = withCoinGecko ? parsed.GetValue(coinGeckoUrl) : null,
                CallsPerMinute = withCoinGecko ? parsed.GetValue(rate) : null,
                Offline = withCoinGecko && parsed.GetValue(offline),
            };
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
        if (input is null)
        {
            return null;
        }

        var json = input == "-" ? await Console.In.ReadToEndAsync(ct) : input;
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
