using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests;

/// <summary>The real statemachine/crypto_backfill.asl.json, run by the local runner with fake steps.</summary>
public sealed class CryptoBackfillAslTests
{
    [Fact]
    public async Task Each_coin_is_fetched_once_in_order_paced_then_transformed_and_loaded()
    {
        var steps = new BackfillFakes();

        var result = await steps.Runner().RunAsync(new JsonObject(), "backfill-1");

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(["bitcoin", "ethereum", "tether"], steps.Fetched);
        // The pause follows every call: the key's minute limit holds across iterations.
        Assert.Equal([.. Enumerable.Repeat(TimeSpan.FromSeconds(2), 3)], steps.Waits);
        Assert.Equal(
            ["Defaults", "MergeInput", "SelectCoins", "FetchHistories", "FetchCoinHistory", "Pace", "FetchCoinHistory", "Pace", "FetchCoinHistory", "Pace", "TransformHistory", "LoadHistory"],
            steps.Events.Where(e => e.Type == ExecutionEventType.StateEntered).Select(e => e.StateName));
        Assert.Equal(BackfillFakes.BackfillId, (string?)Assert.Single(steps.TransformInputs)["backfill_id"]);
        var load = Assert.Single(steps.LoadInputs);
        Assert.Equal($"processed/history/{BackfillFakes.BackfillId}/history_w1.csv", (string?)load["history_csv_key"]);
        Assert.Equal(3 * 366, (int)load["expected_rows"]!);
        Assert.Equal(3 * 366, (int)result.Output!["load"]!["rows_loaded"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"coin_id":"bitcoin","points":366,"reused":false},{"coin_id":"ethereum","points":366,"reused":false},{"coin_id":"tether","points":366,"reused":false}]"""),
            result.Output["fetched"]));
    }

    [Theory]
    [InlineData("{}", 365, 100, "usd")]
    [InlineData("""{"days": 30}""", 30, 100, "usd")]
    [InlineData("""{"days": 90, "top": 2, "vs_currency": "eur"}""", 90, 2, "eur")]
    public async Task The_input_overrides_the_defaults(string input, int days, int top, string currency)
    {
        var steps = new BackfillFakes();

        var result = await steps.Runner().RunAsync(JsonNode.Parse(input));

        Assert.True(result.Succeeded, result.Cause);
        var plan = Assert.Single(steps.Plans);
        Assert.Equal((days, top, currency), ((int)plan["days"]!, (int)plan["top"]!, (string)plan["vs_currency"]!));
        Assert.Equal(Math.Min(top, 3), steps.Fetched.Count);
    }

    [Fact]
    public async Task A_misspelt_input_field_reaches_extract_which_refuses_it()
    {
        var steps = new BackfillFakes();

        var result = await steps.Runner().RunAsync(JsonNode.Parse("""{"dayz": 30}"""));

        Assert.Equal(ErrorNames.InvalidInput, result.Error);
        Assert.StartsWith("SelectCoins failed: {", result.Cause, StringComparison.Ordinal);
        Assert.Empty(steps.Fetched);
    }

    [Fact]
    public async Task A_rate_limited_coin_is_retried_inside_its_iteration_and_the_backfill_goes_on()
    {
        var steps = new BackfillFakes { Failure = ("ethereum", new PipelineException(ErrorNames.CoinGeckoRateLimited, "429 for ethereum"), 2) };

        var result = await steps.Runner(jitter: 0.5).RunAsync(new JsonObject());

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(3, steps.Calls("ethereum"));
        Assert.Equal(["bitcoin", "ethereum", "tether"], steps.Fetched);
        // Extract's transient retrier (20 s, rate 2, FULL jitter at 0.5), between the pauses.
        Assert.Equal([2, 10, 20, 2, 2], steps.Waits.Select(w => w.TotalSeconds));
        var retried = steps.Events.Where(e => e.Type == ExecutionEventType.StateRetried).ToList();
        Assert.All(retried, e => Assert.Equal("FetchCoinHistory", e.StateName));
        Assert.Equal(3, steps.Events.Count(e => e.Type == ExecutionEventType.MapIterationSucceeded));
    }

    [Fact]
    public async Task A_coin_failing_for_good_fails_the_execution_naming_the_map_and_loads_nothing()
    {
        var steps = new BackfillFakes { Failure = ("ethereum", new PipelineException(ErrorNames.CoinGeckoBadResponse, "404: coin not found"), int.MaxValue) };

        var result = await steps.Runner().RunAsync(new JsonObject(), "backfill-2");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(ErrorNames.CoinGeckoBadResponse, result.Error);
        Assert.StartsWith("FetchHistories failed: {", result.Cause, StringComparison.Ordinal);
        var body = JsonNode.Parse(result.Cause!["FetchHistories failed: ".Length..])!;
        Assert.Equal("404: coin not found", (string?)body["errorMessage"]);
        Assert.Equal(["bitcoin"], steps.Fetched);
        Assert.Equal(1, steps.Calls("ethereum"));
        Assert.Empty(steps.TransformInputs);
        Assert.Empty(steps.LoadInputs);
        Assert.Equal(1, steps.Events.Count(e => e.Type == ExecutionEventType.MapIterationFailed));
        Assert.Equal(0, steps.Calls("tether"));
    }

    [Fact]
    public async Task The_state_data_stays_small_for_a_hundred_coins()
    {
        var steps = new BackfillFakes { TopCoins = [.. Enumerable.Range(0, 100).Select(i => $"coin-number-{i:D3}")] };

        var result = await steps.Runner().RunAsync(new JsonObject());

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(100, steps.Fetched.Count);
        var largest = steps.Events.Where(e => e.Data is not null).Max(e => Encoding.UTF8.GetByteCount(e.Data!));
        Assert.InRange(largest, 1, 16 * 1024);
    }

    [Fact]
    public void The_placeholders_are_exactly_the_three_functions()
    {
        var definition = StateMachineDefinition.Load(BackfillAslFile.Path);

        Assert.Equal(["ExtractFunctionArn", "LoadFunctionArn", "TransformFunctionArn"], definition.Placeholders.Order(StringComparer.Ordinal));
        Assert.Equal(["ExtractFunctionArn", "LoadFunctionArn", "TransformFunctionArn"], definition.FunctionPlaceholders.Order(StringComparer.Ordinal));
    }

    /// <summary>The backfill's tasks retry what crypto_etl's do, with the same schedules (crypto_etl.asl.json is the reference).</summary>
    [Theory]
    [InlineData("SelectCoins", "Extract")]
    [InlineData("FetchCoinHistory", "Extract")]
    [InlineData("TransformHistory", "Transform")]
    [InlineData("LoadHistory", "Transform")]
    public void Each_task_retries_as_the_etl_machine_does(string state, string reference)
    {
        var task = TaskNamed(BackfillAslFile.Json, state);
        var expected = AslFile.Json["States"]![reference]!["Retry"]!.AsArray();

        Assert.Equal(Strip(expected), Strip(task["Retry"]!.AsArray()));
    }

    [Fact]
    public void The_map_fetches_one_coin_at_a_time()
    {
        var map = BackfillAslFile.Json["States"]!["FetchHistories"]!;

        Assert.Equal(1, (int)map["MaxConcurrency"]!);
        Assert.Equal("INLINE", (string?)map["ItemProcessor"]!["ProcessorConfig"]!["Mode"]);
        Assert.Equal("States.ALL", (string?)map["Catch"]![0]!["ErrorEquals"]![0]);
    }

    private static JsonObject TaskNamed(JsonObject asl, string name) =>
        (asl["States"]![name] ?? asl["States"]!["FetchHistories"]!["ItemProcessor"]!["States"]![name])!.AsObject();

    /// <summary>The retriers without their comments.</summary>
    private static string Strip(JsonArray retry) =>
        new JsonArray([.. retry.Select(r =>
        {
            var copy = r!.DeepClone().AsObject();
            copy.Remove("Comment");
            return (JsonNode)copy;
        })]).ToJsonString();
}
