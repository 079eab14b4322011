using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

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
        PlanCommand.Create(console),
        BackfillCommand.Create(console),
        ScheduleCommand.Create(console),
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
            using var progress = withCoinGecko ? ExtractProgressView.OnErrorStream(console) : null;
            // Retries print on stderr, so the step's JSON on stdout stays clean for pipes.
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment, progress, withWarehouse ? new RetryLines(console.Error) : null);
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

        return StepInputJson.Parse(json, type, "--input");
    }

    private static T Required<T>(T? input, string step)
        where T : class =>
        input ?? throw new PipelineException(ErrorNames.InvalidInput, $"{step} needs --input (the JSON the previous step printed)");
}
