using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.StateMachine.Tests;

public static class AslFile
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "statemachine", "crypto_etl.asl.json");

    public static string Text => File.ReadAllText(Path);

    public static JsonObject Json => JsonNode.Parse(Text)!.AsObject();
}

public sealed class RecordingAlerts : IAlertSink
{
    public List<AlertMessage> Sent { get; } = [];

    public bool Fail { get; init; }

    public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new PipelineException(ErrorNames.Configuration, "the topic does not exist");
        }

        Sent.Add(alert);
        return Task.CompletedTask;
    }
}

/// <summary>FULL jitter multiplies the backoff by NextDouble(); a fixed value makes the waits exact.</summary>
public sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}

/// <summary>
/// The three functions as in-process fakes speaking the real contracts: each payload must deserialize
/// into the step's input record (unknown fields rejected) and each result is the step's output record.
/// </summary>
public sealed class FakeSteps
{
    public static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public List<ExtractInput> ExtractInputs { get; } = [];

    public List<TransformInput> TransformInputs { get; } = [];

    public List<LoadInput> LoadInputs { get; } = [];

    public int Coins { get; init; } = 500;

    /// <summary>Thrown by the step on its first N calls (or every call when N is int.MaxValue).</summary>
    public (string Step, Exception Error, int Times)? Failure { get; init; }

    public List<TimeSpan> Waits { get; } = [];

    public List<ExecutionEvent> Events { get; } = [];

    public RecordingAlerts Alerts { get; init; } = new();

    public StateMachineRunner Runner(StateMachineDefinition? definition = null, double jitter = 0.5) =>
        new(definition ?? StateMachineDefinition.Load(AslFile.Path), Handlers, Alerts, new StateMachineRunnerOptions
        {
            Delay = (wait, _) =>
            {
                Waits.Add(wait);
                return Task.CompletedTask;
            },
            Random = new FixedRandom(jitter),
            OnEvent = Events.Add,
        });

    public Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Handlers => new()
    {
        ["ExtractFunctionArn"] = (payload, _) => Run("Extract", () =>
        {
            var input = Read(payload, ContractsJsonContext.Default.ExtractInput);
            ExtractInputs.Add(input);
            var fetchTime = input.FetchTime ?? FetchTime;
            return Write(new ExtractOutput
            {
                FetchTime = fetchTime,
                VsCurrency = input.VsCurrency ?? "usd",
                RawKey = ObjectKeys.Raw(fetchTime),
                Pages = input.Pages?.Limit ?? 2000,
                Coins = Coins,
            }, ContractsJsonContext.Default.ExtractOutput);
        }),
        ["TransformFunctionArn"] = (payload, _) => Run("Transform", () =>
        {
            var input = Read(payload, ContractsJsonContext.Default.TransformInput);
            TransformInputs.Add(input);
            var fetchTime = FetchTimeOf(input.RawKey);
            return Write(new TransformOutput
            {
                FetchTime = fetchTime,
                CsvKey = ObjectKeys.Csv(fetchTime, StoredCsv.WriteId),
                QualityKey = ObjectKeys.Quality(fetchTime),
                Rows = Coins - 3,
                Rejected = 3,
            }, ContractsJsonContext.Default.TransformOutput);
        }),
        ["LoadFunctionArn"] = (payload, _) => Run("Load", () =>
        {
            var input = Read(payload, ContractsJsonContext.Default.LoadInput);
            LoadInputs.Add(input);
            return Write(new LoadOutput { FetchTime = input.FetchTime, Table = CryptoSchema.TableName, RowsLoaded = input.ExpectedRows },
                ContractsJsonContext.Default.LoadOutput);
        }),
    };

    private readonly Dictionary<string, int> _calls = [];

    private Task<JsonNode?> Run(string step, Func<JsonNode?> body)
    {
        _calls[step] = _calls.GetValueOrDefault(step) + 1;
        if (Failure is { } failure && failure.Step == step && _calls[step] <= failure.Times)
        {
            throw failure.Error;
        }

        return Task.FromResult(body());
    }

    public int Calls(string step) => _calls.GetValueOrDefault(step);

    private static DateTimeOffset FetchTimeOf(string rawKey) =>
        ExtractOutputsByKey.TryGetValue(rawKey, out var time) ? time : throw new PipelineException(ErrorNames.ObjectNotFound, $"no object {rawKey}");

    // The fake "store": raw keys the fake Extract can have written, for the default and the tests' pinned times.
    private static readonly Dictionary<string, DateTimeOffset> ExtractOutputsByKey = new[]
    {
        FetchTime, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    }.ToDictionary(ObjectKeys.Raw);

    private static T Read<T>(JsonNode? payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(payload!.ToJsonString(), type)!;

    private static JsonNode? Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonNode.Parse(JsonSerializer.Serialize(value, type));
}
