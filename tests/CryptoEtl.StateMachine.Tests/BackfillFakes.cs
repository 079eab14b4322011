using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests;

public static class BackfillAslFile
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "statemachine", "crypto_backfill.asl.json");

    public static string Text => File.ReadAllText(Path);

    public static JsonObject Json => JsonNode.Parse(Text)!.AsObject();
}

/// <summary>
/// The three functions as the backfill calls them, speaking the contract's JSON (docs/state-machine.md,
/// "The backfill state machine"): each function tells its inputs apart by the top-level key and refuses a
/// field it does not know, as the steps' input readers do.
/// </summary>
public sealed class BackfillFakes
{
    public const string BackfillId = "d365-usd-top3-20261125";

    public List<JsonObject> Plans { get; } = [];

    public List<string> Fetched { get; } = [];

    public List<JsonObject> TransformInputs { get; } = [];

    public List<JsonObject> LoadInputs { get; } = [];

    public List<TimeSpan> Waits { get; } = [];

    public List<ExecutionEvent> Events { get; } = [];

    public string[] TopCoins { get; init; } = ["bitcoin", "ethereum", "tether"];

    /// <summary>Coins whose raw history was already stored (a resumed backfill).</summary>
    public HashSet<string> Stored { get; init; } = [];

    /// <summary>Fetching this coin throws on its first N calls (int.MaxValue: always).</summary>
    public (string Coin, Exception Error, int Times)? Failure { get; init; }

    public int PauseSeconds { get; init; } = 2;

    private readonly Dictionary<string, int> _calls = [];

    public int Calls(string coin) => _calls.GetValueOrDefault(coin);

    public StateMachineRunner Runner(double jitter = 0.5) =>
        new(StateMachineDefinition.Load(BackfillAslFile.Path), Handlers, new RecordingAlerts(), new StateMachineRunnerOptions
        {
            Delay = (wait, _) =>
            {
                Waits.Add(wait);
                return Task.CompletedTask;
            },
            Random = new FixedRandom(jitter),
            OnEvent = Events.Add,
            StateMachineName = "crypto_backfill",
        });

    public Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Handlers => new()
    {
        ["ExtractFunctionArn"] = (payload, _) =>
        {
            var input = payload as JsonObject ?? throw Invalid("the payload is not an object");
            if (input.Count != 1)
            {
                throw Invalid($"one top-level key expected, got {input.ToJsonString()}");
            }

            if (input["backfill"] is JsonObject plan)
            {
                Only(plan, "days", "top", "vs_currency", "coin_ids");
                Plans.Add(plan);
                var top = (int)plan["top"]!;
                return Task.FromResult<JsonNode?>(new JsonObject
                {
                    ["backfill_id"] = BackfillId,
                    ["coin_ids"] = new JsonArray([.. TopCoins.Take(top).Select(c => (JsonNode)c)]),
                    ["days"] = plan["days"]!.DeepClone(),
                    ["vs_currency"] = plan["vs_currency"]!.DeepClone(),
                    ["pause_seconds"] = PauseSeconds,
                });
            }

            var coin = input["backfill_coin"] as JsonObject ?? throw Invalid($"unknown input {input.ToJsonString()}");
            Only(coin, "backfill_id", "coin_id");
            var id = (string)coin["coin_id"]!;
            Assert.Equal(BackfillId, (string?)coin["backfill_id"]);
            _calls[id] = Calls(id) + 1;
            if (Failure is { } failure && failure.Coin == id && _calls[id] <= failure.Times)
            {
                throw failure.Error;
            }

            Fetched.Add(id);
            return Task.FromResult<JsonNode?>(new JsonObject
            {
                ["coin_id"] = id,
                ["raw_key"] = $"raw/history/{BackfillId}/{id}.json",
                ["points"] = 366,
                ["reused"] = Stored.Contains(id),
            });
        },
        ["TransformFunctionArn"] = (payload, _) =>
        {
            var input = payload as JsonObject ?? throw Invalid("the payload is not an object");
            Only(input, "backfill_id");
            TransformInputs.Add(input);
            return Task.FromResult<JsonNode?>(new JsonObject
            {
                ["backfill_id"] = BackfillId,
                ["csv_key"] = $"processed/history/{BackfillId}/history_w1.csv",
                ["quality_key"] = $"processed/history/{BackfillId}/quality.json",
                ["rows"] = 366 * Fetched.Distinct().Count(),
            });
        },
        ["LoadFunctionArn"] = (payload, _) =>
        {
            var input = payload as JsonObject ?? throw Invalid("the payload is not an object");
            Only(input, "history_csv_key", "expected_rows");
            LoadInputs.Add(input);
            return Task.FromResult<JsonNode?>(new JsonObject { ["table"] = "CRYPTO_HISTORY", ["rows_loaded"] = input["expected_rows"]!.DeepClone() });
        },
    };

    private static void Only(JsonObject node, params string[] known)
    {
        foreach (var (key, _) in node)
        {
            if (!known.Contains(key))
            {
                throw Invalid($"unknown field \"{key}\"");
            }
        }
    }

    private static PipelineException Invalid(string why) => new(ErrorNames.InvalidInput, why);
}
