using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.StateMachine.Tests.Conformance;
using CryptoEtl.Testing;

namespace CryptoEtl.StateMachine.Tests;

/// <summary>
/// The Map state (inline mode) against AWS's recordings: LocalStack's AWS-validated
/// tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json, whose state machines
/// (tests/aws/services/stepfunctions/templates/scenarios/statemachines/map_state*.json5) are written
/// out here (or taken from the conformance probes, which hold the same machines). Each test names its recording.
/// </summary>
public sealed class MapStateTests
{
    private readonly List<ExecutionEvent> _events = [];
    private readonly List<TimeSpan> _waits = [];

    private static readonly JsonNode Shipped = JsonNode.Parse("""
        [{"prod": "R31", "dest-code": 9511, "quantity": 1344}, {"prod": "S39", "dest-code": 9511, "quantity": 40},
         {"prod": "R31", "dest-code": 9833, "quantity": 12}, {"prod": "R40", "dest-code": 9860, "quantity": 887},
         {"prod": "R40", "dest-code": 9511, "quantity": 1220}]
        """)!;

    /// <summary>test_map_state (map_state.json5): each item as it is, ResultPath null keeps the input; MapStateStarted length 8, one iteration per item.</summary>
    [Fact]
    public async Task Each_item_runs_the_processor_and_ResultPath_null_keeps_the_input()
    {
        var result = await RunAsync("""
            {"StartAt": "StartState", "States": {
              "StartState": {"Type": "Pass", "Result": [1, "Hello", {}, null, 3.3, 3, 4, 5], "ResultPath": "$.arr", "Next": "MapState"},
              "MapState": {"Type": "Map", "ResultPath": null, "InputPath": "$.arr", "MaxConcurrency": 1,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}},
                "Next": "Final"},
              "Final": {"Type": "Pass", "End": true}}}
            """, "{}");

        Assert.True(result.Succeeded, result.Cause);
        AssertJson("""{"arr": [1, "Hello", {}, null, 3.3, 3, 4, 5]}""", result.Output);
        Assert.Equal(8, Single(ExecutionEventType.MapStarted).MapLength);
        Assert.Equal(Enumerable.Range(0, 8), Of(ExecutionEventType.MapIterationSucceeded).Select(e => e.MapIndex));
        // The items as the recording's PassStateEntered events show them: 1, "Hello", {}, null, 3.3, ...
        Assert.Equal(["1", "\"Hello\"", "{}", "null", "3.3", "3", "4", "5"],
            _events.Where(e => e.Type == ExecutionEventType.StateEntered && e.StateName == "HandleItem").Select(e => e.Data));
        Assert.Equal(
            ["StateEntered", "MapStarted", "MapIterationStarted", "StateEntered", "StateSucceeded", "MapIterationSucceeded"],
            _events.SkipWhile(e => e.StateName != "MapState").Take(6).Select(e => e.Type.ToString()));
        Assert.Equal(
            ["MapIterationSucceeded", "MapSucceeded", "StateSucceeded"],
            _events.Where(e => e.StateName == "MapState").TakeLast(3).Select(e => e.Type.ToString()));
    }

    /// <summary>
    /// test_map_state_item_selector (map_state_item_selector.json5) and test_map_state_parameters_legacy
    /// (map_state_parameters_legacy.json5, Parameters and Iterator): the same recorded output, $ being the
    /// Map's effective input and $$.Map.Item its index and value.
    /// </summary>
    [Theory]
    [InlineData("ItemSelector", "ItemProcessor")]
    [InlineData("Parameters", "Iterator")]
    public async Task ItemSelector_or_the_legacy_Parameters_builds_each_iterations_input(string selector, string processor)
    {
        var result = await RunAsync($$$$$"""
            {"StartAt": "StartState", "States": {
              "StartState": {"Type": "Pass", "Result": {"detail": {"delivery-partner": "UQS", "shipped": {{{{{Shipped.ToJsonString()}}}}}}}, "Next": "MapState"},
              "MapState": {"Type": "Map", "ResultPath": "$.detail.shipped_output", "InputPath": "$.detail", "ItemsPath": "$.shipped", "MaxConcurrency": 1,
                "{{{{{selector}}}}}": {"original_input.$": "$", "iteration_input_value.$": "$$.Map.Item.Value", "iteration_index.$": "$$.Map.Item.Index",
                                 "from_input_constant.$": "$.delivery-partner", "constant_value": "HelloWorld"},
                "{{{{{processor}}}}}": {"StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}},
                "Next": "Final"},
              "Final": {"Type": "Pass", "End": true}}}
            """, "{}");

        Assert.True(result.Succeeded, result.Cause);
        var detail = new JsonObject { ["delivery-partner"] = "UQS", ["shipped"] = Shipped.DeepClone() };
        var outputs = new JsonArray([.. Shipped.AsArray().Select((item, i) => (JsonNode)new JsonObject
        {
            ["constant_value"] = "HelloWorld",
            ["iteration_input_value"] = item!.DeepClone(),
            ["from_input_constant"] = "UQS",
            ["iteration_index"] = i,
            ["original_input"] = detail.DeepClone(),
        })]);
        detail["shipped_output"] = outputs;
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["detail"] = detail }, result.Output), result.Output?.ToJsonString());
    }

    /// <summary>test_map_state_catch (map_state_catch.json5): the iteration's Fail fails the Map; its Catch gets {Error, Cause}.</summary>
    [Fact]
    public async Task A_failing_iteration_fails_the_map_whose_catch_gets_the_error_and_cause()
    {
        var result = await RunAsync(ConformanceProbes.MapCatch.Definition, "{}");

        Assert.True(result.Succeeded, result.Cause);
        AssertJson("""{"Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}""", result.Output);
        Assert.Equal(
            ["MapStarted", "MapIterationStarted", "MapIterationFailed", "MapFailed", "StateCaught", "StateSucceeded"],
            _events.Where(e => e.StateName == "MapState" && e.Type != ExecutionEventType.StateEntered).Select(e => e.Type.ToString()));
    }

    /// <summary>
    /// test_map_state_retry (map_state_retry.json5): the Map's Retry runs the items again (MaxAttempts 2: three
    /// MapStateStarted, no MapStateFailed between attempts), then the execution fails with the iteration's error
    /// and cause. The waits are the ASL defaults (1 s, rate 2.0).
    /// </summary>
    [Fact]
    public async Task The_maps_retry_runs_the_items_again_then_fails_with_the_iterations_error()
    {
        var result = await RunAsync(ConformanceProbes.MapRetry.Definition, "{}");

        Assert.Equal((ExecutionStatus.Failed, "HandleItemFailError", "HandleItemFailCause"), (result.Status, result.Error, result.Cause));
        Assert.Equal(3, Of(ExecutionEventType.MapStarted).Count);
        Assert.Equal(3, Of(ExecutionEventType.MapIterationFailed).Count);
        Assert.Single(Of(ExecutionEventType.MapFailed));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], _waits);
    }

    /// <summary>test_map_state_catch_empty_fail: a Fail with no Error nor Cause fails the execution with neither.</summary>
    [Fact]
    public async Task An_iteration_failing_without_an_error_name_fails_the_execution_without_one()
    {
        var result = await RunAsync("""
            {"StartAt": "MapState", "States": {
              "MapState": {"Type": "Map", "ItemProcessor": {"StartAt": "HandleItemFail", "States": {"HandleItemFail": {"Type": "Fail"}}}, "End": true}}}
            """, "[1]");

        Assert.Equal((ExecutionStatus.Failed, null, null), (result.Status, result.Error, result.Cause));
    }

    /// <summary>
    /// test_map_state_items_input_types[number|string|boolean|object|null] (map_state_items.json5, JSONata there;
    /// here its JSONPath twin: the Map gets the Start state's output): EvaluationFailed, then the execution fails
    /// with States.QueryEvaluationError and AWS's cause. moto 5.2.1 prints Python's type instead (the conformance
    /// suite's test says so); the recording wins.
    /// </summary>
    [Theory]
    [InlineData("1", "1")]
    [InlineData("\"string\"", "\"string\"")]
    [InlineData("true", "true")]
    [InlineData("""{"foo": "bar"}""", """{"foo":"bar"}""")]
    [InlineData("null", "null")]
    public async Task Items_that_are_not_an_array_fail_with_the_error_AWS_recorded(string items, string shown)
    {
        var result = await RunAsync(NotAnArrayMachine, $$$$$"""{"items": {{{{{items}}}}}}""");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("States.QueryEvaluationError", result.Error);
        Assert.Equal($"An error occurred while executing the state 'MapIterateState' (entered at the event id #4). Map state input must be an array but was: {shown}", result.Cause);
        Assert.Equal(result.Cause, Single(ExecutionEventType.EvaluationFailed).Cause);
        Assert.Empty(Of(ExecutionEventType.MapStarted));
    }

    /// <summary>test_map_state_items_input_array[empty]: MapStateStarted length 0, MapStateSucceeded, output [].</summary>
    [Fact]
    public async Task An_empty_array_succeeds_with_an_empty_result()
    {
        var result = await RunAsync(NotAnArrayMachine, """{"items": []}""");

        Assert.True(result.Succeeded, result.Cause);
        AssertJson("[]", result.Output);
        Assert.Equal(0, Single(ExecutionEventType.MapStarted).MapLength);
        Assert.Single(Of(ExecutionEventType.MapSucceeded));
    }

    /// <summary>
    /// The event ids count the Map's events as test_map_state's history numbers them: MapStateEntered #4,
    /// MapStateStarted #5, four events per iteration (#6-#37), MapStateSucceeded #38, MapStateExited #39,
    /// so the next state is entered at #40 (the id AWS's States.Runtime cause names).
    /// </summary>
    [Fact]
    public async Task A_runtime_error_after_a_map_names_the_event_id_AWS_numbers()
    {
        var result = await RunAsync("""
            {"StartAt": "StartState", "States": {
              "StartState": {"Type": "Pass", "Result": [1, "Hello", {}, null, 3.3, 3, 4, 5], "ResultPath": "$.arr", "Next": "MapState"},
              "MapState": {"Type": "Map", "ResultPath": null, "InputPath": "$.arr",
                "ItemProcessor": {"StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}}, "Next": "Final"},
              "Final": {"Type": "Pass", "InputPath": "$.nope", "End": true}}}
            """, "{}");

        Assert.Equal("States.Runtime", result.Error);
        Assert.StartsWith("An error occurred while executing the state 'Final' (entered at the event id #40).", result.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultSelector_and_OutputPath_apply_to_the_results_array()
    {
        var result = await RunAsync("""
            {"StartAt": "M", "States": {
              "M": {"Type": "Map", "ItemsPath": "$.xs", "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "ResultSelector": {"all.$": "$"}, "ResultPath": "$.out", "OutputPath": "$.out", "End": true}}}
            """, """{"xs": ["a", "b"]}""");

        Assert.True(result.Succeeded, result.Cause);
        AssertJson("""{"all": [{"v": "a", "i": 0}, {"v": "b", "i": 1}]}""", result.Output);
    }

    /// <summary>A Task inside an iteration retries there; the Map sees only the iteration's outcome.</summary>
    [Fact]
    public async Task A_task_inside_an_iteration_retries_within_it()
    {
        var calls = 0;
        var definition = StateMachineDefinition.Parse("""
            {"StartAt": "M", "States": {
              "M": {"Type": "Map", "ItemProcessor": {"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}", "Payload.$": "$"},
                      "ResultSelector": {"got.$": "$.Payload"}, "Retry": [{"ErrorEquals": ["CryptoEtl.CoinGeckoRateLimited"], "IntervalSeconds": 20}], "End": true}}},
                "End": true}}}
            """);
        var runner = new StateMachineRunner(definition, new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>
        {
            ["Work"] = (payload, _) => ++calls == 2
                ? throw new PipelineException(ErrorNames.CoinGeckoRateLimited, "429")
                : Task.FromResult<JsonNode?>(payload?.DeepClone()),
        }, new RecordingAlerts(), Options());

        var result = await runner.RunAsync(JsonNode.Parse("[10, 20]"));

        Assert.True(result.Succeeded, result.Cause);
        AssertJson("""[{"got": 10}, {"got": 20}]""", result.Output);
        Assert.Equal(3, calls);
        Assert.Equal([TimeSpan.FromSeconds(20)], _waits);
        Assert.Equal(2, Of(ExecutionEventType.MapIterationSucceeded).Count);
    }

    /// <summary>
    /// The definition's TimeoutSeconds still ends the execution TIMED_OUT inside a Map (LocalStack
    /// tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json, test_global_timeout):
    /// 10 s waits per item, 35 s allowed: the fourth item's wait is cut short.
    /// </summary>
    [Fact]
    public async Task The_execution_timeout_ends_a_map_mid_way()
    {
        var clock = new SimulatedClock();
        var runner = new StateMachineRunner(StateMachineDefinition.Parse("""
            {"TimeoutSeconds": 35, "StartAt": "M", "States": {
              "M": {"Type": "Map", "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}, "End": true}}}
            """), new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>(), new RecordingAlerts(),
            new StateMachineRunnerOptions { TimeProvider = clock, OnEvent = _events.Add });

        var result = await runner.RunAsync(JsonNode.Parse("[1, 2, 3, 4, 5, 6]"));

        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.Equal(4, Of(ExecutionEventType.MapIterationStarted).Count);
        Assert.Equal(3, Of(ExecutionEventType.MapIterationSucceeded).Count);
    }

    /// <summary>AWS-recorded wording (LocalStack tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json, test_base_wait_seconds_path[-1] and [1.5]).</summary>
    [Theory]
    [InlineData("0", null)]
    [InlineData("-1", "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1")]
    [InlineData("1.5", "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5")]
    public async Task Wait_SecondsPath_takes_a_non_negative_integer(string seconds, string? what)
    {
        var result = await RunAsync("""
            {"StartAt": "WaitState", "States": {"WaitState": {"Type": "Wait", "SecondsPath": "$.input.waitSeconds", "End": true}}}
            """, $$$$$"""{"input": {"waitSeconds": {{{{{seconds}}}}}}}""");

        if (what is null)
        {
            Assert.True(result.Succeeded, result.Cause);
            Assert.Equal([TimeSpan.Zero], _waits);
        }
        else
        {
            Assert.Equal(("States.Runtime", $"An error occurred while executing the state 'WaitState' (entered at the event id #2). {what}"), (result.Error, result.Cause));
        }
    }

    /// <summary>What the local runner does not run is refused when the definition loads, never ignored.</summary>
    [Theory]
    [InlineData(""" "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ItemProcessor.ProcessorConfig")]
    [InlineData(""" "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED is not supported")]
    [InlineData(""" "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ItemReader: is not supported")]
    [InlineData(""" "ItemBatcher": {"MaxItemsPerBatch": 2}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ItemBatcher: is not supported")]
    [InlineData(""" "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ResultWriter: is not supported")]
    [InlineData(""" "ToleratedFailureCount": 1, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ToleratedFailureCount: is not supported")]
    [InlineData(""" "ToleratedFailurePercentage": 5, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.ToleratedFailurePercentage: is not supported")]
    [InlineData(""" "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M: needs exactly one of ItemProcessor or the legacy Iterator")]
    [InlineData(""" "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Outside"}}} """, "States.M.ItemProcessor.States.P: goes to \"Outside\"")]
    [InlineData(""" "MaxConcurrency": -1, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}} """, "States.M.MaxConcurrency: must be a non-negative integer")]
    public void Unsupported_or_invalid_map_fields_are_refused_at_load(string fields, string expected)
    {
        var json = $$$$$"""{"StartAt": "M", "States": {"M": {"Type": "Map", {{{{{fields}}}}}, "Next": "Outside"}, "Outside": {"Type": "Pass", "End": true}}}""";

        var refused = Assert.Throws<PipelineException>(() => StateMachineDefinition.Parse(json));

        Assert.Equal(ErrorNames.Configuration, refused.ErrorName);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    private const string NotAnArrayMachine = """
        {"StartAt": "Start", "States": {
          "Start": {"Type": "Pass", "InputPath": "$.items", "Next": "MapIterateState"},
          "MapIterateState": {"Type": "Map", "MaxConcurrency": 1,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": true}}}, "End": true}}}
        """;


    private Task<ExecutionResult> RunAsync(string definition, string input) =>
        new StateMachineRunner(StateMachineDefinition.Parse(definition), new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>(),
            new RecordingAlerts(), Options()).RunAsync(JsonNode.Parse(input));

    private StateMachineRunnerOptions Options() => new()
    {
        Delay = (wait, _) =>
        {
            _waits.Add(wait);
            return Task.CompletedTask;
        },
        OnEvent = _events.Add,
    };

    private List<ExecutionEvent> Of(ExecutionEventType type) => [.. _events.Where(e => e.Type == type)];

    private ExecutionEvent Single(ExecutionEventType type) => Assert.Single(Of(type));

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\n  actual {actual?.ToJsonString()}");
}
