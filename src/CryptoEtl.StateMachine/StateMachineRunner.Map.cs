using System.Text.Json.Nodes;

namespace CryptoEtl.StateMachine;

/// <summary>The Map and Wait states.</summary>
public sealed partial class StateMachineRunner
{
    /// <summary>
    /// AWS's error for a Map whose items are not an array (LocalStack tests/aws/services/stepfunctions/v2/
    /// scenarios/test_base_scenarios.snapshot.json, test_map_state_items_input_types[number|string|boolean|object|null]:
    /// EvaluationFailed then MapStateFailed, error States.QueryEvaluationError, cause "Map state input must be
    /// an array but was: 1" after the usual state prefix).
    /// </summary>
    internal const string QueryEvaluationError = "States.QueryEvaluationError";

    /// <summary>
    /// Iterations run one at a time, in item order, whatever MaxConcurrency says (an upper bound on AWS, which
    /// keeps the results in item order too). A failing iteration fails the Map with its error and cause at
    /// once; then the Map's Retry runs all items again and its Catch sees {Error, Cause}, as AWS recorded
    /// (test_base_scenarios.snapshot.json, test_map_state_retry: MapStateStarted again, no MapStateFailed
    /// between attempts; test_map_state_catch: MapStateFailed, then MapStateExited with the catcher's output).
    /// </summary>
    private async Task<Outcome> ExecuteMapAsync(MapState map, JsonNode? input, Context context, RunContext run, CancellationToken cancellationToken)
    {
        var effective = ApplyInputPath(map.InputPath, input, context);
        var retries = new int[map.Retry.Count];
        while (true)
        {
            (string? Error, string? Cause) failure;
            try
            {
                var (results, iterationFailure) = await RunIterationsAsync(map, effective, context, run, cancellationToken);
                if (iterationFailure is null)
                {
                    var selected = map.ResultSelector is { } selector ? selector.Evaluate(context.Scope(results)) : results;
                    var output = ApplyResultPath(map.ResultPath, input, selected, context);
                    return new Outcome(ApplyOutputPath(map.OutputPath, output, context), map.Next);
                }

                failure = iterationFailure.Value;
            }
            catch (StatesErrorException error)
            {
                failure = (error.Error, error.Cause);
            }

            var name = failure.Error ?? "";
            if (await RetriedAsync(map, map.Retry, retries, name, failure.Cause, context, cancellationToken))
            {
                continue;
            }

            MapEvent(ExecutionEventType.MapFailed, map, context);
            var catcher = map.Catch.FirstOrDefault(c => c.Matches(name));
            if (catcher is null)
            {
                return new Outcome(null, null, failure);
            }

            Emit(new ExecutionEvent(ExecutionEventType.StateCaught, Now(), map.Name) { StateType = "Map", Error = failure.Error, Cause = failure.Cause, Next = catcher.Next });
            var errorOutput = new JsonObject { ["Error"] = failure.Error, ["Cause"] = failure.Cause };
            return new Outcome(ApplyResultPath(catcher.ResultPath, input, errorOutput, context), catcher.Next);
        }
    }

    /// <summary>
    /// The first retrier matching <paramref name="error"/> decides (even with its attempts used up):
    /// true after its wait when it has an attempt left, false otherwise.
    /// </summary>
    private async Task<bool> RetriedAsync(State state, IReadOnlyList<Retrier> retry, int[] retries, string error, string? cause, Context context, CancellationToken cancellationToken)
    {
        var retrier = retry.Select((r, i) => (r, i)).FirstOrDefault(x => x.r.Matches(error));
        if (retrier.r is not { } matched || retries[retrier.i] >= matched.MaxAttempts)
        {
            return false;
        }

        var wait = matched.Delay(retries[retrier.i], _options.Random);
        retries[retrier.i]++;
        context.RetryCount++;
        Emit(new ExecutionEvent(ExecutionEventType.StateRetried, Now(), state.Name)
        {
            StateType = StateTypeName(state),
            Error = error,
            Cause = cause,
            Attempt = context.RetryCount,
            Wait = wait,
        });
        await _delay(wait, cancellationToken);
        return true;
    }

    private async Task<(JsonArray Results, (string? Error, string? Cause)? Failure)> RunIterationsAsync(
        MapState map, JsonNode? effective, Context context, RunContext run, CancellationToken cancellationToken)
    {
        var items = Select(map.ItemsPath, effective, context);
        if (items is not JsonArray array)
        {
            var cause = StatesErrorException.Runtime(map.Name, context.EnteredEventId,
                $"Map state input must be an array but was: {items?.ToJsonString() ?? "null"}").Cause;
            context.History.Next();
            Emit(new ExecutionEvent(ExecutionEventType.EvaluationFailed, Now(), map.Name) { StateType = "Map", Error = QueryEvaluationError, Cause = cause });
            throw new StatesErrorException(QueryEvaluationError, cause);
        }

        context.History.Next();
        Emit(new ExecutionEvent(ExecutionEventType.MapStarted, Now(), map.Name) { StateType = "Map", MapLength = array.Count });
        var results = new JsonArray();
        for (var index = 0; index < array.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var item = array[index]?.DeepClone();
            context.History.Next();
            Emit(new ExecutionEvent(ExecutionEventType.MapIterationStarted, Now(), map.Name) { StateType = "Map", MapIndex = index });
            var iterationInput = map.ItemSelector is { } selector
                ? selector.Evaluate(context.Scope(effective, new JsonObject { ["Index"] = index, ["Value"] = item?.DeepClone() }))
                : item;
            var (output, failure) = await RunBranchAsync(map.Processor.StartAt, map.Processor.States, iterationInput, run, cancellationToken);
            context.History.Next();
            Emit(new ExecutionEvent(failure is null ? ExecutionEventType.MapIterationSucceeded : ExecutionEventType.MapIterationFailed, Now(), map.Name)
            {
                StateType = "Map",
                MapIndex = index,
            });
            if (failure is not null)
            {
                return (results, failure);
            }

            results.Add(output);
        }

        MapEvent(ExecutionEventType.MapSucceeded, map, context);
        return (results, null);
    }

    private void MapEvent(ExecutionEventType type, MapState map, Context context)
    {
        context.History.Next();
        Emit(new ExecutionEvent(type, Now(), map.Name) { StateType = "Map" });
    }

    /// <summary>
    /// Seconds, or SecondsPath: a non-negative integer in the input, else States.Runtime worded as AWS
    /// recorded it (LocalStack tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json,
    /// test_base_wait_seconds_path[-1] and [1.5]).
    /// </summary>
    private async Task<Outcome> ExecuteWaitAsync(WaitState wait, JsonNode? input, Context context, CancellationToken cancellationToken)
    {
        var effective = ApplyInputPath(wait.InputPath, input, context);
        var seconds = wait.Seconds ?? SecondsAt(wait.SecondsPath!, effective, context);
        await _delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        return new Outcome(ApplyOutputPath(wait.OutputPath, effective, context), wait.Next);
    }

    private static long SecondsAt(JsonPath path, JsonNode? data, Context context)
    {
        if (!path.TrySelect(data, out var value))
        {
            throw context.Runtime($"The SecondsPath parameter does not reference an input value: {path.Text}");
        }

        var text = value?.ToJsonString() ?? "null";
        // The JSON text, not the CLR value: a step's result may hold an int where parsed JSON holds an element.
        if (value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number
            || !long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            throw context.Runtime($"The SecondsPath parameter cannot be parsed as a long value: {path.Text} == {text}");
        }

        return seconds >= 0 ? seconds : throw context.Runtime($"The SecondsPath parameter references a negative value: {path.Text} == {text}");
    }

    private static string StateTypeName(State state) => state switch
    {
        PassState => "Pass",
        TaskState => "Task",
        MapState => "Map",
        WaitState => "Wait",
        SucceedState => "Succeed",
        _ => "Fail",
    };

    /// <summary>What every state of one execution shares, iterations included.</summary>
    private sealed record RunContext(JsonObject Execution, JsonObject StateMachine, HistoryIds History);
}
