using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests.Conformance;

/// <summary>
/// The probes both interpreters run: the real statemachine/crypto_etl.asl.json on the paths a run
/// can take, and small definitions, one per rule of ASL the runner implements.
/// </summary>
public static class ConformanceProbes
{
    private const string Invoke = "arn:aws:states:::lambda:invoke";

    private static readonly JsonNode ExtractResult = JsonNode.Parse("""
        {"fetch_time": "2026-11-25T12:00:00Z", "vs_currency": "usd", "raw_key": "raw/2026/11/25/120000.json.gz", "pages": 3, "coins": 750, "complete": true}
        """)!;

    private static readonly JsonNode TransformResult = JsonNode.Parse("""
        {"fetch_time": "2026-11-25T12:00:00Z", "csv_key": "processed/2026/11/25/120000.csv", "quality_key": "quality/2026/11/25/120000.json", "rows": 747, "rejected": 3}
        """)!;

    private static readonly JsonNode LoadResult = JsonNode.Parse("""
        {"fetch_time": "2026-11-25T12:00:00Z", "table": "CRYPTO_DATA", "rows_loaded": 747}
        """)!;

    // ---- the real file
    public static readonly Probe AslSucceeds = Asl("asl_succeeds", """{"pages": 3}""",
        extract: [new Returns(ExtractResult)], transform: [new Returns(TransformResult)], load: [new Returns(LoadResult)]);

    public static readonly Probe AslRetriesThenSucceeds = Asl("asl_retries_then_succeeds", "{}",
        extract: [Fail(ErrorNames.CoinGeckoRateLimited), Fail(ErrorNames.CoinGeckoUnavailable), new Returns(ExtractResult)],
        transform: [new Returns(TransformResult)], load: [new Returns(LoadResult)]);

    public static readonly Probe AslPermanentFailure = Asl("asl_permanent_failure", """{"vs_currency": "eur"}""",
        extract: [new Returns(ExtractResult)], transform: [Fail(ErrorNames.InvalidInput)], load: []);

    public static readonly Probe AslRetriesExhausted = Asl("asl_retries_exhausted", "{}",
        extract: [new Returns(ExtractResult)], transform: [new Returns(TransformResult)],
        load: [.. Enumerable.Repeat<FunctionStep>(Fail(ErrorNames.WarehouseUnavailable), 4)]);

    public static readonly Probe AslInputNotAnObject = Asl("asl_input_not_an_object", "[1, 2]", extract: [], transform: [], load: []);

    // ---- paths that find nothing
    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json, test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH] (the same state, field and input).</summary>
    public static readonly Probe ParametersPathMissing = Small("parameters_path_missing", """
        {"pass": {"Type": "Pass", "Parameters": {"value.$": "$.no_such_jsonpath"}, "End": true}}
        """, """{"int-literal": 0}""");

    public static readonly Probe ParametersIndexOutOfRange = Small("parameters_index_out_of_range", """
        {"P": {"Type": "Pass", "Parameters": {"v.$": "$.a[5]"}, "End": true}}
        """, """{"a": [1]}""");

    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json, test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH].</summary>
    public static readonly Probe ErrorPathMissing = Small("errorpath_missing", """
        {"pass": {"Type": "Pass", "Parameters": {"Error": "error-value"}, "Next": "fail"},
         "fail": {"Type": "Fail", "ErrorPath": "$.ErrorX", "CausePath": "$.Error"}}
        """, """{"int-literal": 0}""");

    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json, test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_CAUSEPATH].</summary>
    public static readonly Probe CausePathMissing = Small("causepath_missing", """
        {"pass": {"Type": "Pass", "Parameters": {"Error": "error-value"}, "Next": "fail"},
         "fail": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.NoSuchCausePath"}}
        """, """{"int-literal": 0}""");

    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json, test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH].</summary>
    public static readonly Probe InputPathMissing = Small("inputpath_missing", """
        {"pass": {"Type": "Pass", "InputPath": "$.NoSuchInputPath", "End": true}}
        """, """{"int-literal": 0}""");

    /// <summary>After a task: the entered event id counts the task's events (#7).</summary>
    public static readonly Probe PathMissingAfterTask = Small("path_missing_after_task", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultSelector": {"k.$": "$.Payload.k"}, "Next": "P"},
         "P": {"Type": "Pass", "Parameters": {"v.$": "$.nope"}, "End": true}}
        """, "{}", ("F", [new Returns(JsonNode.Parse("""{"k": 1}"""))]));

    /// <summary>Each task attempt adds three events (TaskScheduled, TaskStarted, TaskFailed/TaskSucceeded): #10.</summary>
    public static readonly Probe PathMissingAfterRetriedTask = Small("path_missing_after_retried_task", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultPath": null,
               "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}], "Next": "P"},
         "P": {"Type": "Pass", "Parameters": {"v.$": "$.nope"}, "End": true}}
        """, """{"a": 1}""", ("F", [Fail(ErrorNames.StorageUnavailable), new Returns(new JsonObject())]));

    /// <summary>A caught task: TaskFailed, TaskStateExited, then the catcher's state is entered (#7).</summary>
    public static readonly Probe PathMissingAfterCaughtTask = Small("path_missing_after_caught_task", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "P"}], "End": true},
         "P": {"Type": "Pass", "Parameters": {"v.$": "$.nope"}, "End": true}}
        """, """{"a": 1}""", ("F", [Fail(ErrorNames.InvalidInput)]));

    /// <summary>moto 5.2.1 retries and catches this (a bug); see the test for AWS's recording.</summary>
    public static readonly Probe TaskParametersPathMissing = Small("task_parameters_path_missing", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload": {"v.$": "$.nope"}},
               "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, """{"a": 1}""", ("F", []));

    /// <summary>moto 5.2.1 catches this (a bug); see the test for AWS's recording.</summary>
    public static readonly Probe TaskResultSelectorPathMissing = Small("task_resultselector_path_missing", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultSelector": {"v.$": "$.Payload.nope"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, """{"a": 1}""", ("F", [new Returns(JsonNode.Parse("""{"k": 1}"""))]));

    /// <summary>The state machine of LocalStack's AWS-validated test_catch_states_runtime (with lambda:invoke);
    /// moto 5.2.1 words the missing path differently (a bug).</summary>
    public static readonly Probe CatchStatesRuntime = Small("catch_states_runtime", $$$"""
        {"RaiseRuntime": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "OutputPath": "$.no.such.result.path",
                          "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "CaughtRuntime"}], "Next": "Final"},
         "CaughtRuntime": {"Type": "Pass", "End": true},
         "Final": {"Type": "Pass", "End": true}}
        """, "{}", ("F", [new Returns(new JsonObject())]));

    // ---- intrinsic functions
    public static readonly Probe JsonMergeNotAnObject = Small("jsonmerge_not_an_object", """
        {"P": {"Type": "Pass", "Parameters": {"v.$": "States.JsonMerge($, $, false)"}, "End": true}}
        """, "[1, 2]");

    public static readonly Probe StringToJsonNotJson = Small("stringtojson_not_json", """
        {"P": {"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.a)"}, "End": true}}
        """, """{"a": "{nope"}""");

    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic.snapshot.json, TestGeneric::test_format_2 (an object prints as {Arg1=1, Arg2=[]}).</summary>
    public static readonly Probe FormatValues = Small("format_values", """
        {"P": {"Type": "Pass", "Parameters": {"v.$": "States.Format('{} {} {} {} {} {}', $.o, $.a, $.s, $.n, $.b, $.z)"}, "End": true}}
        """, """{"o": {"Arg1": 1, "Arg2": [], "Arg3": {"x": "y"}}, "a": [1, "t", null], "s": "text", "n": 1.5, "b": true, "z": null}""");

    public static readonly Probe JsonHelpers = Small("json_helpers", """
        {"P": {"Type": "Pass", "Parameters": {"s.$": "States.JsonToString($.o)", "j.$": "States.StringToJson($.t)", "m.$": "States.JsonMerge($.o, $.p, false)"}, "End": true}}
        """, """{"o": {"a": 1, "b": {"c": 2}}, "p": {"b": 3, "d": [4]}, "t": "{\"x\": [1, 2]}"}""");

    // ---- ResultPath
    public static readonly Probe ResultPathIntoNumber = Small("resultpath_into_number", """
        {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a.b", "End": true}}
        """, """{"a": 5}""");

    public static readonly Probe ResultPathInputNotAnObject = Small("resultpath_input_not_an_object", """
        {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "End": true}}
        """, "[1]");

    public static readonly Probe CatchResultPathIntoNumber = Small("catch_resultpath_into_number", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.a.b", "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, """{"a": 3}""", ("F", [Fail(ErrorNames.InvalidInput)]));

    /// <summary>moto 5.2.1 catches this (a bug: States.Runtime in a Task); see the test.</summary>
    public static readonly Probe TaskResultPathIntoNumber = Small("task_resultpath_into_number", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultPath": "$.a.b",
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, """{"a": 3}""", ("F", [new Returns(JsonNode.Parse("""{"k": 1}"""))]));

    public static readonly Probe ResultPathNested = Small("resultpath_nested", """
        {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a.b.c", "OutputPath": "$.a", "End": true}}
        """, """{"a": {"keep": true}}""");

    // ---- Retry definitions
    public static readonly Probe IntervalFractional = RetryField("interval_fractional", "IntervalSeconds", "1.5");

    public static readonly Probe MaxAttemptsFractional = RetryField("maxattempts_fractional", "MaxAttempts", "2.5");

    public static readonly Probe MaxDelayFractional = RetryField("maxdelay_fractional", "MaxDelaySeconds", "10.5");

    // ---- size limits
    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json, test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response.</summary>
    public static readonly Probe TaskResultTooLargeCaught = Small("task_result_too_large_caught", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, "{}", ("F", [new Returns(JsonValue.Create(new string('x', 300_000)))]));

    public static readonly Probe TaskResultTooLargeRetried = Small("task_result_too_large_retried", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}"},
               "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 1}], "End": true}}
        """, "{}", ("F", [new Returns(JsonValue.Create(new string('x', 300_000))), new Returns(JsonValue.Create("small"))]));

    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json, test_start_large_input (cause names the state).</summary>
    public static readonly Probe StateOutputTooLarge = Small("state_output_too_large", """
        {"State_1": {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": true}}
        """, $$$"""{"s": "{{{new string('y', 140_000)}}}"}""");

    // ---- task errors, retries, catchers
    /// <summary>Also AWS-recorded: LocalStack tests/aws/services/stepfunctions/v2/error_handling/test_task_service_lambda.snapshot.json, test_raise_exception (the cause is the whole error body).</summary>
    public static readonly Probe FunctionErrorCause = Small("function_error_cause", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "End": true}}
        """, "{}", ("F", [Fail(ErrorNames.InvalidInput)]));

    public static readonly Probe BackoffAndJitter = Small("backoff_and_jitter", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultSelector": {"p.$": "$.Payload"},
               "Retry": [{"ErrorEquals": ["{{{ErrorNames.StorageUnavailable}}}"], "IntervalSeconds": 3, "MaxAttempts": 4, "BackoffRate": 2.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}],
               "End": true}}
        """, "{}", ("F", [.. Enumerable.Repeat<FunctionStep>(Fail(ErrorNames.StorageUnavailable), 4), new Returns(JsonNode.Parse("""{"ok": 1}"""))]));

    public static readonly Probe FirstMatchingRetrierDecides = Small("first_matching_retrier_decides", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"},
               "Retry": [{"ErrorEquals": ["{{{ErrorNames.StorageUnavailable}}}"], "IntervalSeconds": 1, "MaxAttempts": 1},
                         {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 7, "MaxAttempts": 5}],
               "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "C"}], "Next": "C"},
         "C": {"Type": "Pass", "End": true}}
        """, """{"in": 1}""", ("F", [Fail(ErrorNames.StorageUnavailable), Fail(ErrorNames.StorageUnavailable)]));

    public static readonly Probe ContextObject = Small("context_object", $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload": {"name.$": "$$.Execution.Name", "state.$": "$$.State.Name", "retry.$": "$$.State.RetryCount", "input.$": "$$.Execution.Input"}},
               "ResultSelector": {"got.$": "$.Payload"}, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}], "End": true}}
        """, """{"x": 1}""", ("F", [Fail(ErrorNames.CoinGeckoUnavailable), new Returns(JsonNode.Parse("""{"done": true}"""))]));

    public static readonly Probe SnsPublish = Small("sns_publish", """
        {"N": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
               "Parameters": {"TopicArn": "${AlertTopicArn}", "Subject": "CryptoEtl", "Message.$": "States.Format('{} in {}', $.error, $$.Execution.Name)"},
               "ResultPath": null, "End": true}}
        """, """{"error": "CryptoEtl.InvalidInput"}""");

    public static readonly Probe FailErrorPathNotAString = Small("fail_errorpath_not_a_string", """
        {"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}}
        """, """{"e": 5, "c": "x"}""");

    // ---- the backfill file (statemachine/crypto_backfill.asl.json)
    private static readonly JsonNode BackfillPlan = JsonNode.Parse("""
        {"backfill_id": "d365-usd-top2-20261125", "coin_ids": ["bitcoin", "ethereum"], "days": 365, "vs_currency": "usd", "pause_seconds": 2}
        """)!;

    private static readonly JsonNode HistoryTransformResult = JsonNode.Parse("""
        {"backfill_id": "d365-usd-top2-20261125", "csv_key": "processed/history/d365-usd-top2-20261125/history_w1.csv", "quality_key": "processed/history/d365-usd-top2-20261125/quality.json", "rows": 732}
        """)!;

    private static readonly JsonNode HistoryLoadResult = JsonNode.Parse("""{"table": "CRYPTO_HISTORY", "rows_loaded": 732}""")!;

    public static readonly Probe BackfillSucceeds = Backfill("backfill_succeeds", """{"top": 2}""",
        extract: [new Returns(BackfillPlan), Fetched("bitcoin", reused: true), Fetched("ethereum")],
        transform: [new Returns(HistoryTransformResult)], load: [new Returns(HistoryLoadResult)]);

    public static readonly Probe BackfillRetriesInsideAnIteration = Backfill("backfill_retries_inside_an_iteration", "{}",
        extract: [new Returns(BackfillPlan), Fetched("bitcoin"), Fail(ErrorNames.CoinGeckoRateLimited), Fail(ErrorNames.CoinGeckoUnavailable), Fetched("ethereum")],
        transform: [new Returns(HistoryTransformResult)], load: [new Returns(HistoryLoadResult)]);

    public static readonly Probe BackfillCoinFails = Backfill("backfill_coin_fails", """{"days": 30, "vs_currency": "eur"}""",
        extract: [new Returns(BackfillPlan), Fail(ErrorNames.CoinGeckoBadResponse)], transform: [], load: []);

    // ---- Map (LocalStack's AWS-validated scenarios: tests/aws/services/stepfunctions/templates/scenarios/statemachines/map_state*.json5)
    /// <summary>Also AWS-recorded: test_base_scenarios.snapshot.json, test_map_state_item_selector (the same machine).</summary>
    public static readonly Probe MapItemSelector = Small("map_item_selector", MapSelectorStates("ItemSelector", "ItemProcessor"), "{}");

    /// <summary>Also AWS-recorded: test_base_scenarios.snapshot.json, test_map_state_parameters_legacy (the same machine).</summary>
    public static readonly Probe MapLegacyParameters = Small("map_legacy_parameters", MapSelectorStates("Parameters", "Iterator"), "{}");

    /// <summary>Also AWS-recorded: test_base_scenarios.snapshot.json, test_map_state_catch (the same machine).</summary>
    public static readonly Probe MapCatch = Small("map_catch", FailingMapStates("""
        "Catch": [{"ErrorEquals": ["HandleItemFailError"], "Next": "FinalCaught"}],
        """), "{}");

    /// <summary>Also AWS-recorded: test_base_scenarios.snapshot.json, test_map_state_retry (the same machine).</summary>
    public static readonly Probe MapRetry = Small("map_retry", FailingMapStates("""
        "Retry": [{"ErrorEquals": ["HandleItemFailError"], "MaxAttempts": 2}],
        """), "{}");

    /// <summary>MaxConcurrency 1: moto runs iterations in parallel otherwise, and the scripted answers go by call order.</summary>
    public static readonly Probe MapResultSelectorAndPaths = Small("map_result_selector_and_paths", $$$$$"""
        {"M": {"Type": "Map", "InputPath": "$.in", "ItemsPath": "$.xs", "MaxConcurrency": 1, "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index", "tag.$": "$.tag"},
               "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "{{{{{Invoke}}}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"}, "ResultSelector": {"r.$": "$.Payload"}, "End": true}}},
               "ResultSelector": {"all.$": "$"}, "ResultPath": "$.in.out", "OutputPath": "$.in", "End": true}}
        """, """{"in": {"xs": ["a", "b"], "tag": "t"}}""", ("F", [new Returns(JsonValue.Create(1)), new Returns(JsonValue.Create(2))]));

    /// <summary>moto 5.2.1 words the cause with Python's type ("&lt;class 'int'&gt;"); MapStateTests holds AWS's recording.</summary>
    public static readonly Probe MapItemsNotAnArray = Small("map_items_not_an_array", """
        {"Start": {"Type": "Pass", "InputPath": "$.items", "Next": "MapIterateState"},
         "MapIterateState": {"Type": "Map", "MaxConcurrency": 1,
           "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": true}}}, "End": true}}
        """, """{"items": 1}""");

    public static readonly Probe WaitSecondsPath = Small("wait_seconds_path", """
        {"W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "V"}, "V": {"Type": "Wait", "Seconds": 3, "End": true}}
        """, """{"s": 7}""");

    public static IReadOnlyList<Probe> All { get; } =
    [
        AslSucceeds, AslRetriesThenSucceeds, AslPermanentFailure, AslRetriesExhausted, AslInputNotAnObject,
        ParametersPathMissing, ParametersIndexOutOfRange, ErrorPathMissing, CausePathMissing, InputPathMissing, PathMissingAfterTask,
        PathMissingAfterRetriedTask, PathMissingAfterCaughtTask,
        TaskParametersPathMissing, TaskResultSelectorPathMissing, CatchStatesRuntime,
        JsonMergeNotAnObject, StringToJsonNotJson, FormatValues, JsonHelpers,
        ResultPathIntoNumber, ResultPathInputNotAnObject, CatchResultPathIntoNumber, TaskResultPathIntoNumber, ResultPathNested,
        IntervalFractional, MaxAttemptsFractional, MaxDelayFractional,
        TaskResultTooLargeCaught, TaskResultTooLargeRetried, StateOutputTooLarge,
        FunctionErrorCause, BackoffAndJitter, FirstMatchingRetrierDecides, ContextObject, SnsPublish, FailErrorPathNotAString,
        BackfillSucceeds, BackfillRetriesInsideAnIteration, BackfillCoinFails,
        MapItemSelector, MapLegacyParameters, MapCatch, MapRetry, MapResultSelectorAndPaths, MapItemsNotAnArray, WaitSecondsPath,
    ];

    public static Probe Named(string name) => All.Single(p => p.Name == name);

    private static Fails Fail(string errorName) => new(errorName, $"{errorName} while testing");

    private static Probe Asl(string name, string input, FunctionStep[] extract, FunctionStep[] transform, FunctionStep[] load) =>
        new(name, AslFile.Text, JsonNode.Parse(input), new Dictionary<string, FunctionStep[]>
        {
            ["ExtractFunctionArn"] = extract,
            ["TransformFunctionArn"] = transform,
            ["LoadFunctionArn"] = load,
        });

    private static Probe Backfill(string name, string input, FunctionStep[] extract, FunctionStep[] transform, FunctionStep[] load) =>
        new(name, BackfillAslFile.Text, JsonNode.Parse(input), new Dictionary<string, FunctionStep[]>
        {
            ["ExtractFunctionArn"] = extract,
            ["TransformFunctionArn"] = transform,
            ["LoadFunctionArn"] = load,
        });

    private static Returns Fetched(string coin, bool reused = false) => new(new JsonObject
    {
        ["coin_id"] = coin,
        ["raw_key"] = $"raw/history/d365-usd-top2-20261125/{coin}.json",
        ["points"] = 366,
        ["reused"] = reused,
    });

    private static string MapSelectorStates(string selector, string processor) => $$$$$"""
        {"StartState": {"Type": "Pass", "Result": {"detail": {"delivery-partner": "UQS", "shipped": [{"prod": "R31", "dest-code": 9511, "quantity": 1344}, {"prod": "S39", "dest-code": 9511, "quantity": 40}, {"prod": "R31", "dest-code": 9833, "quantity": 12}, {"prod": "R40", "dest-code": 9860, "quantity": 887}, {"prod": "R40", "dest-code": 9511, "quantity": 1220}]}}, "Next": "MapState"},
         "MapState": {"Type": "Map", "ResultPath": "$.detail.shipped_output", "InputPath": "$.detail", "ItemsPath": "$.shipped", "MaxConcurrency": 1,
           "{{{{{selector}}}}}": {"original_input.$": "$", "iteration_input_value.$": "$$.Map.Item.Value", "iteration_index.$": "$$.Map.Item.Index", "from_input_constant.$": "$.delivery-partner", "constant_value": "HelloWorld"},
           "{{{{{processor}}}}}": {"StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}}, "Next": "Final"},
         "Final": {"Type": "Pass", "End": true}}
        """;

    private static string FailingMapStates(string retryOrCatch) => $$$$$"""
        {"StartState": {"Type": "Pass", "Result": [1], "ResultPath": "$.arr", "Next": "MapState"},
         "MapState": {"Type": "Map", "ResultPath": null, "InputPath": "$.arr", "MaxConcurrency": 1,
           "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "HandleItemFail",
             "States": {"HandleItemFail": {"Type": "Fail", "Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}}},
           {{{{{retryOrCatch}}}}}
           "Next": "Final"},
         "FinalCaught": {"Type": "Pass", "End": true},
         "Final": {"Type": "Pass", "End": true}}
        """;

    private static Probe Small(string name, string states, string input, params (string Name, FunctionStep[] Steps)[] functions)
    {
        // The states' text as written: moto's ASL grammar reads the definition's characters, and a
        // JSON serializer would write "'" as \u0027.
        var startAt = JsonNode.Parse(states)!.AsObject().First().Key;
        var definition = $$"""{"StartAt": "{{startAt}}", "States": {{states}}}""";
        return new Probe(name, definition, JsonNode.Parse(input), functions.ToDictionary(f => f.Name, f => f.Steps));
    }

    private static Probe RetryField(string name, string field, string value) => Small(name, $$$"""
        {"T": {"Type": "Task", "Resource": "{{{Invoke}}}", "Parameters": {"FunctionName": "${F}", "Payload.$": "$"},
               "Retry": [{"ErrorEquals": ["States.ALL"], "{{{field}}}": {{{value}}}}], "End": true}}
        """, "{}", ("F", []));
}
