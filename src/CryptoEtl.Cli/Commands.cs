using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

public static partial class Commands
{
    public static IEnumerable<Command> All(CliConsole console) =>
    [
        RunCommand.Create(console),
        // Each step takes every input its Lambda function takes: a snapshot's, or a backfill's (docs/backfill.md).
        StepCommand(console, "extract", "Fetch CoinGecko pages into a raw object (or a backfill's coins or one coin's history); prints the Extract output JSON",
            withCoinGecko: true, withWarehouse: false, "ExtractFunctionArn", required: false),
        StepCommand(console, "transform", "Clean a raw object and write the CSV (or a backfill's history CSV); prints the Transform output JSON",
            withCoinGecko: false, withWarehouse: false, "TransformFunctionArn", required: true),
        StepCommand(console, "load", "Load a CSV into the warehouse (local DuckDB, or Snowflake); prints the Load output JSON",
            withCoinGecko: false, withWarehouse: true, "LoadFunctionArn", required: true),
        QueryCommand.Create(console),
        ReportCommand.Create(console),
        PlanCommand.Create(console),
        BackfillCommand.Create(console),
        ScheduleCommand.Create(console),
        ServeCommand.Create(console),
    ];

    /// <summary>One step, with the same input JSON its Lambda takes and the same output JSON on stdout.</summary>
    private static Command StepCommand(
        CliConsole console, string name, string description, bool withCoinGecko, bool withWarehouse, string function, bool required)
    {
        var options = new PipelineOptions();
        var input = PipelineOptions.Input("The step's input JSON (the same the Lambda function takes); '-' reads it from stdin");
        var command = new Command(name, description) { input };
        options.AddTo(command, withCoinGecko, withWarehouse);
        command.SetAction(async (parsed, ct) =>
        {
            var settings = options.Read(parsed);
            var text = await PipelineOptions.InputTextAsync(parsed.GetValue(input), ct);
            if (text is null && required)
            {
                throw new PipelineException(ErrorNames.InvalidInput, $"{name} needs --input (the JSON the previous step printed)");
            }

            JsonNode? stepInput;
            try
            {
                stepInput = text is null ? new JsonObject() : JsonNode.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new PipelineException(ErrorNames.InvalidInput, $"--input is not JSON: {ex.Message}", ex);
            }

            using var progress = withCoinGecko ? ExtractProgressView.OnErrorStream(console) : null;
            // Retries print on stderr, so the step's JSON on stdout stays clean for pipes.
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment, progress, withWarehouse ? new RetryLines(console.Error) : null);
            var output = await pipeline.Route(function).InvokeAsync(stepInput, "--input", ct);
            await console.Out.WriteLineAsync(output?.ToJsonString());
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

        return StepInputJson.Parse(json, type, "--input");
    }
}
