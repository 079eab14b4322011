using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests;

/// <summary>The runner's ASL semantics, on small definitions written for each case.</summary>
public sealed class RunnerTests
{
    private readonly List<TimeSpan> _waits = [];
    private readonly List<ExecutionEvent> _events = [];
    private readonly RecordingAlerts _alerts = new();

    [Theory]
    [InlineData("""{"HeartbeatSeconds": 30}""", "States.Work.HeartbeatSeconds: this field is not supported by the local runner")]
    [InlineData("""{"TimeoutSeconds": 0}""", "States.Work.TimeoutSeconds: must be a positive integer up to 99999999, not 0")]
    [InlineData("""{"TimeoutSeconds": "60"}""", "States.Work.TimeoutSeconds: must be a positive integer up to 99999999, not \"60\"")]
    [InlineData("""{"Resource": "arn:aws:states:::dynamodb:putItem"}""", "States.Work.Resource: \"arn:aws:states:::dynamodb:putItem\" is not supported")]
    [InlineData("""{"ResultSelector": {"n.$": "States.UUID()"}}""", "States.Work.ResultSelector.n.$: intrinsic function States.UUID is not supported")]
    [InlineData("""{"ResultSelector": {"n.$": "$.items[*].id"}}""", "JSONPath \"$.items[*].id\" is not supported")]
    [InlineData("""{"ResultSelector": {"n.$": "$..id"}}""", "JSONPath \"$..id\" is not supported")]
    [InlineData("""{"Next": "Nowhere", "End": null}""", "States.Work: goes to \"Nowhere\", which is not a state")]
    [InlineData("""{"Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "PARTIAL"}]}""", "States.Work.Retry[0].JitterStrategy: \"PARTIAL\" is not FULL or NONE")]
    [InlineData("""{"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Work", "Backoff": 1}]}""", "States.Work.Catch[0].Backoff: this field is not supported")]
    [InlineData("""{"Parameters": {"FunctionName": "arn:aws:lambda:eu-west-1:1:function:x"}}""", "must be a ${Name} placeholder")]
    [InlineData("""{"Parameters": {"FunctionName": "${Work}", "InvocationType": "Event"}}""", "States.Work.Parameters.InvocationType: this field is not supported")]
    public void Anything_the_runner_cannot_do_is_rejected_at_load_naming_it(string taskOverride, string message)
    {
        var task = JsonNode.Parse("""{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"}, "End": true}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(taskOverride)!.AsObject())
        {
            if (value is null)
            {
                task.Remove(key);
            }
            else
            {
                task[key] = value.DeepClone();
            }
        }

        var ex = Assert.Throws<PipelineException>(() => StateMachineDefinition.Parse(Definition(("Work", task))));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_state_type_is_rejected_at_load()
    {
        var ex = Assert.Throws<PipelineException>(() => StateMachineDefinition.Parse(Definition(("Choose", JsonNode.Parse("""{"Type": "Choice", "Choices": [], "Default": "Choose"}""")!))));

        Assert.Contains("States.Choose.Type: state type \"Choice\" is not supported by the local runner", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_added_to_the_real_file_is_rejected_with_its_place()
    {
        var asl = AslFile.Json;
        asl["States"]!["Extract"]!["HeartbeatSeconds"] = 60;

        var ex = Assert.Throws<PipelineException>(() => StateMachineDefinition.Parse(asl.ToJsonString()));

        Assert.Equal("States.Extract.HeartbeatSeconds: this field is not supported by the local runner", ex.Message);
    }

    [Fact]
    public void Handlers_must_match_the_definitions_functions()
    {
        var definition = StateMachineDefinition.Load(AslFile.Path);
        var handlers = new FakeSteps().Handlers;
        handlers.Remove("LoadFunctionArn");
        handlers["LoadFunction"] = (_, _) => Task.FromResult<JsonNode?>(null);

        var ex = Assert.Throws<PipelineException>(() => new StateMachineRunner(definition, handlers, _alerts));

        Assert.Contains("missing [LoadFunctionArn], not in the definition [LoadFunction]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backoff_grows_by_the_rate_and_stops_at_MaxDelaySeconds_then_the_catcher_gets_the_error()
    {
        var definition = Definition(("Work", JsonNode.Parse("""
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"},
             "Retry": [{"ErrorEquals": ["CryptoEtl.InvalidInput"], "MaxAttempts": 0},
                       {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 10, "BackoffRate": 3, "MaxAttempts": 4, "MaxDelaySeconds": 50}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}],
             "End": true}
            """)!), ("Done", JsonNode.Parse("""{"Type": "Succeed"}""")!));
        var calls = 0;

        var result = await Runner(definition, (_, _) =>
        {
            calls++;
            throw new PipelineException(ErrorNames.WarehouseUnavailable, "503");
        }).RunAsync(JsonNode.Parse("""{"keep": 1}"""));

        Assert.Equal(5, calls);
        Assert.Equal([10, 30, 50, 50], _waits.Select(w => w.TotalSeconds));
        Assert.True(result.Succeeded);
        Assert.Equal(1, (int)result.Output!["keep"]!);
        Assert.Equal(ErrorNames.WarehouseUnavailable, (string?)result.Output["error"]!["Error"]);
        Assert.Equal(ErrorNames.WarehouseUnavailable, (string?)JsonNode.Parse((string)result.Output["error"]!["Cause"]!)!["errorType"]);
    }

    [Fact]
    public async Task A_matching_retrier_with_no_attempts_left_does_not_fall_through_to_a_later_one()
    {
        var definition = Definition(("Work", JsonNode.Parse("""
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"},
             "Retry": [{"ErrorEquals": ["CryptoEtl.InvalidInput"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"]}],
             "End": true}
            """)!));

        var result = await Runner(definition, (_, _) => throw new PipelineException(ErrorNames.InvalidInput, "pages must be at least 1")).RunAsync(null);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(ErrorNames.InvalidInput, result.Error);
        Assert.Empty(_waits);
    }

    [Fact]
    public async Task Paths_intrinsics_and_the_context_object_follow_the_asl_rules()
    {
        var definition = Definition(
            ("Shape", JsonNode.Parse("""
                {"Type": "Pass", "InputPath": "$.order",
                 "Parameters": {"merged.$": "States.JsonMerge($.defaults, $.given, false)", "literal": {"a": [1, 2]},
                                "text.$": "States.Format('\\{{}\\} {} of {}', $.given.n, $$.Execution.Name, $.items[1])",
                                "json.$": "States.JsonToString($.given)", "back.$": "States.StringToJson('{\"x\": 1}')",
                                "state.$": "$$.State.Name"},
                 "ResultPath": "$.shaped.deep", "Next": "Keep"}
                """)!),
            ("Keep", JsonNode.Parse("""{"Type": "Pass", "Result": {"ignored": true}, "ResultPath": null, "OutputPath": "$.shaped.deep", "End": true}""")!));
        var input = JsonNode.Parse("""{"order": {"defaults": {"n": 1, "m": 2}, "given": {"n": 5}, "items": ["a", "b"]}}""");

        var result = await Runner(definition, null).RunAsync(input, "exec-7");

        Assert.True(result.Succeeded, result.Cause);
        var output = result.Output!;
        Assert.Equal("""{"n":5,"m":2}""", output["merged"]!.ToJsonString());
        Assert.Equal("""{"a":[1,2]}""", output["literal"]!.ToJsonString());
        Assert.Equal("{5} exec-7 of b", (string?)output["text"]);
        Assert.Equal("""{"n":5}""", (string?)output["json"]);
        Assert.Equal(1, (int)output["back"]!["x"]!);
        Assert.Equal("Shape", (string?)output["state"]);
    }

    /// <summary>
    /// AWS: a missing path is States.Runtime, which neither Retry nor Catch handles, worded as in LocalStack's
    /// AWS recording tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json,
    /// test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH] (the input JSON there is redacted).
    /// </summary>
    [Fact]
    public async Task A_missing_parameter_path_is_States_Runtime_which_nothing_retries_or_catches()
    {
        var definition = Definition(
            ("Work", JsonNode.Parse("""
                {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}", "Payload": {"k.$": "$.missing"}},
                 "Retry": [{"ErrorEquals": ["States.ALL"]}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fail"}], "End": true}
                """)!),
            ("Fail", JsonNode.Parse("""{"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.Cause"}""")!));

        var result = await Runner(definition, (_, _) => Task.FromResult<JsonNode?>(null)).RunAsync(JsonNode.Parse("""{"a":[1]}"""));

        Assert.Equal("States.Runtime", result.Error);
        Assert.Equal(
            """An error occurred while executing the state 'Work' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'k.$' could not be found in the input '{"a":[1]}'""",
            result.Cause);
        Assert.Empty(_waits);
    }

    /// <summary>AWS recorded a Lambda result over 256 KiB caught by States.ALL: LocalStack
    /// tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json,
    /// test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response.</summary>
    [Fact]
    public async Task A_task_result_over_256_KiB_is_States_DataLimitExceeded_which_States_ALL_catches()
    {
        var definition = Definition(
            ("Work", JsonNode.Parse("""
                {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true}
                """)!),
            ("Done", JsonNode.Parse("""{"Type": "Pass", "End": true}""")!));

        var result = await Runner(definition, (_, _) => Task.FromResult<JsonNode?>(JsonValue.Create(new string('x', 300_000)))).RunAsync(null);

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal("States.DataLimitExceeded", (string?)result.Output!["Error"]);
        Assert.Equal("The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.", (string?)result.Output["Cause"]);
    }

    /// <summary>AWS recorded a state's own output over 256 KiB failing the execution: LocalStack
    /// tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json, test_start_large_input.</summary>
    [Fact]
    public async Task A_state_output_over_256_KiB_fails_the_execution()
    {
        var definition = Definition(("State_1", JsonNode.Parse("""{"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": true}""")!));

        var result = await Runner(definition, null).RunAsync(new JsonObject { ["s"] = new string('y', 140_000) });

        Assert.Equal("States.DataLimitExceeded", result.Error);
        Assert.Equal("The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.", result.Cause);
    }

    /// <summary>ASL spec, Retry: IntervalSeconds, MaxAttempts and MaxDelaySeconds are integers; moto 5.2.1's
    /// grammar rejects 1.5 at CreateStateMachine ("mismatched input '1.5' expecting INT").</summary>
    [Theory]
    [InlineData("IntervalSeconds", "1.5")]
    [InlineData("MaxAttempts", "2.5")]
    [InlineData("MaxDelaySeconds", "10.5")]
    [InlineData("MaxAttempts", "\"3\"")]
    public void Retry_counts_and_seconds_must_be_integers(string field, string value)
    {
        var task = JsonNode.Parse($$"""
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"},
             "Retry": [{"ErrorEquals": ["States.ALL"], "{{field}}": {{value}}}], "End": true}
            """)!;

        var ex = Assert.Throws<PipelineException>(() => StateMachineDefinition.Parse(Definition(("Work", task))));

        Assert.Equal($"States.Work.Retry[0].{field}: must be an integer", ex.Message);
    }

    [Fact]
    public async Task Events_read_like_the_consoles_execution_history()
    {
        var definition = Definition(("Work", JsonNode.Parse("""
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}", "Payload.$": "$"},
             "ResultSelector": {"got.$": "$.Payload"}, "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "JitterStrategy": "NONE"}], "End": true}
            """)!));
        var calls = 0;

        var result = await Runner(definition, (payload, _) => ++calls == 1
            ? throw new PipelineException(ErrorNames.CoinGeckoUnavailable, "502 from /global")
            : Task.FromResult(payload)).RunAsync(JsonNode.Parse("""{"a": 1}"""));

        Assert.True(result.Succeeded);
        Assert.Equal("""{"got":{"a":1}}""", result.Output!.ToJsonString());
        Assert.Equal(
            [ExecutionEventType.ExecutionStarted, ExecutionEventType.StateEntered, ExecutionEventType.StateRetried, ExecutionEventType.StateSucceeded, ExecutionEventType.ExecutionSucceeded],
            _events.Select(e => e.Type));
        var retried = _events[2];
        Assert.Equal((1, 3.0, ErrorNames.CoinGeckoUnavailable), (retried.Attempt, retried.Wait.TotalSeconds, retried.Error));
        Assert.Equal("""{"a":1}""", _events[1].Data);
        Assert.Equal("""{"got":{"a":1}}""", _events[3].Data);
    }

    private StateMachineRunner Runner(string definition, Func<JsonNode?, CancellationToken, Task<JsonNode?>>? work)
    {
        var parsed = StateMachineDefinition.Parse(definition);
        var handlers = new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>();
        if (work is not null)
        {
            handlers["Work"] = work;
        }

        return new StateMachineRunner(parsed, handlers, _alerts, new StateMachineRunnerOptions
        {
            Delay = (wait, _) =>
            {
                _waits.Add(wait);
                return Task.CompletedTask;
            },
            Random = new FixedRandom(1.0),
            OnEvent = _events.Add,
        });
    }

    private static string Definition(params (string Name, JsonNode State)[] states)
    {
        var all = new JsonObject();
        foreach (var (name, state) in states)
        {
            all[name] = state.DeepClone();
        }

        return new JsonObject { ["StartAt"] = states[0].Name, ["States"] = all }.ToJsonString();
    }
}
