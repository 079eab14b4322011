using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>
/// Runs a <see cref="StateMachineDefinition"/> in process, the way Step Functions runs it: each
/// lambda:invoke FunctionName placeholder maps to a handler that gets the Payload and returns the
/// function's result; sns:publish goes to an <see cref="IAlertSink"/>. A handler's exception becomes
/// the task's error as our Lambda host reports it (Error = the error name, Cause = the whole
/// {"errorMessage","errorType","stackTrace"} body), which Retry and Catch then match. Failures of the
/// definition itself (a path that finds nothing, ...) are States.Runtime, as AWS raises them.
/// </summary>
public sealed partial class StateMachineRunner
{
    /// <summary>Step Functions' limit on a state's input or output (256 KiB).</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    private readonly StateMachineDefinition _definition;
    private readonly IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> _functions;
    private readonly IAlertSink _alerts;
    private readonly StateMachineRunnerOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <summary>
    /// <paramref name="functions"/> maps each FunctionName placeholder's name (ExtractFunctionArn, not
    /// ${ExtractFunctionArn}) to its handler; a handler missing or not used by the definition is an error.
    /// </summary>
    public StateMachineRunner(
        StateMachineDefinition definition,
        IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> functions,
        IAlertSink alerts,
        StateMachineRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(alerts);
        var needed = definition.FunctionPlaceholders;
        var missing = needed.Where(name => !functions.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        var unused = functions.Keys.Where(name => !needed.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unused.Count > 0)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"the handlers do not match the state machine's functions: missing [{string.Join(", ", missing)}], not in the definition [{string.Join(", ", unused)}]");
        }

        _definition = definition;
        _functions = functions;
        _alerts = alerts;
        _options = options ?? new StateMachineRunnerOptions();
        _delay = _options.Delay ?? ((wait, ct) => Task.Delay(wait, _options.TimeProvider, ct));
    }

    public async Task<ExecutionResult> RunAsync(JsonNode? input, string? executionName = null, CancellationToken cancellationToken = default)
    {
        var name = executionName ?? Guid.NewGuid().ToString();
        var started = _options.TimeProvider.GetUtcNow();
        var data = input?.DeepClone() ?? new JsonObject();
        var execution = new JsonObject
        {
            ["Id"] = LocalArns.Execution(_options.StateMachineName, name),
            ["Name"] = name,
            ["StartTime"] = Iso(started),
            ["Input"] = data.DeepClone(),
        };
        var stateMachine = new JsonObject
        {
            ["Id"] = LocalArns.StateMachine(_options.StateMachineName),
            ["Name"] = _options.StateMachineName,
        };
        Emit(ExecutionEventType.ExecutionStarted, null, data);
        var history = new HistoryIds();

        // The definition's TimeoutSeconds ends the execution TIMED_OUT wherever it is, whatever a
        // step does with its token (LocalStack tests/aws/services/stepfunctions/v2/timeouts/
        // test_timeouts.snapshot.json, test_global_timeout: status TIMED_OUT, no error or cause).
        using var executionTimeout = _definition.TimeoutSeconds is { } seconds
            ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), _options.TimeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, executionTimeout.Token);
        try
        {
            return await RunStatesAsync(name, data, execution, stateMachine, history, linked.Token);
        }
        catch (OperationCanceledException) when (executionTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Emit(new ExecutionEvent(ExecutionEventType.ExecutionTimedOut, Now(), null));
            return new ExecutionResult(name, ExecutionStatus.TimedOut, null, null, null);
        }
    }

    private async Task<ExecutionResult> RunStatesAsync(string name, JsonNode? data, JsonObject execution, JsonObject stateMachine, HistoryIds history, CancellationToken cancellationToken)
    {
        var run = new RunContext(execution, stateMachine, history);
        var (output, failure) = await RunBranchAsync(_definition.StartAt, _definition.States, data, run, cancellationToken);
        if (failure is { } f)
        {
            return Failed(name, f.Error, f.Cause);
        }

        Emit(ExecutionEventType.ExecutionSucceeded, null, output);
        return new ExecutionResult(name, ExecutionStatus.Succeeded, output, null, null);
    }

    /// <summary>Runs states from <paramref name="startAt"/> to an end: the execution's, or a Map iteration's.</summary>
    private async Task<(JsonNode? Output, (string? Error, string? Cause)? Failure)> RunBranchAsync(
        string startAt, IReadOnlyDictionary<string, State> states, JsonNode? data, RunContext run, CancellationToken cancellationToken)
    {
        var current = states[startAt];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = new Context(run.Execution, run.StateMachine, current.Name, Iso(_options.TimeProvider.GetUtcNow()), run.History);
            EmitState(ExecutionEventType.StateEntered, current, data);
            Outcome outcome;
            try
            {
                outcome = await ExecuteAsync(current, data, context, run, cancellationToken);
                CheckStateOutput(outcome.Output, current.Name);
            }
            catch (StatesErrorException error)
            {
                EmitState(ExecutionEventType.StateFailed, current, null, error.Error, error.Cause);
                return (null, (error.Error, error.Cause));
            }

            data = outcome.Output;
            if (outcome.Failure is { } failure)
            {
                EmitState(ExecutionEventType.StateFailed, current, null, failure.Error, failure.Cause);
                return (null, failure);
            }

            run.History.Next(); // ...StateExited
            EmitState(ExecutionEventType.StateSucceeded, current, data);
            if (outcome.Next is null)
            {
                return (data, null);
            }

            current = states[outcome.Next];
        }
    }

    private async Task<Outcome> ExecuteAsync(State state, JsonNode? input, Context context, RunContext run, CancellationToken cancellationToken)
    {
        switch (state)
        {
            case MapState map:
                return await ExecuteMapAsync(map, input, context, run, cancellationToken);
            case WaitState wait:
                return await ExecuteWaitAsync(wait, input, context, cancellationToken);
            case PassState pass:
            {
                var effective = ApplyInputPath(pass.InputPath, input, context);
                var result = pass.HasResult ? pass.Result?.DeepClone()
                    : pass.Parameters is { } parameters ? parameters.Evaluate(context.Scope(effective))
                    : effective;
                var output = ApplyResultPath(pass.ResultPath, input, result, context);
                return new Outcome(ApplyOutputPath(pass.OutputPath, output, context), pass.Next);
            }

            case TaskState task:
                return await ExecuteTaskAsync(task, input, context, cancellationToken);
            case SucceedState succeed:
            {
                var effective = ApplyInputPath(succeed.InputPath, input, context);
                return new Outcome(ApplyOutputPath(succeed.OutputPath, effective, context), null);
            }

            default:
            {
                var fail = (FailState)state;
                var scope = context.Scope(input);
                return new Outcome(null, null, (Text(fail.Error, scope, "Error"), Text(fail.Cause, scope, "Cause")));
            }
        }

        static string? Text(Expression? expression, Scope scope, string what) =>
            expression?.Evaluate(scope) switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                // AWS's wording is not recorded (moto 5.2.1 fails here with a Python AttributeError).
                var other => throw scope.Runtime($"The {what} of the Fail state is {other.GetValueKind().ToString().ToLowerInvariant()}, not a string."),
            };
    }

    private async Task<Outcome> ExecuteTaskAsync(TaskState task, JsonNode? input, Context context, CancellationToken cancellationToken)
    {
        var effective = ApplyInputPath(task.InputPath, input, context);
        var retries = new int[task.Retry.Count];
        while (true)
        {
            try
            {
                var parameters = task.Parameters.Evaluate(context.Scope(effective));
                context.History.Skip(3); // TaskScheduled, TaskStarted, TaskSucceeded or TaskFailed
                CheckTaskResult(parameters, task);
                var result = await InvokeWithinTimeoutAsync(task, parameters!.AsObject(), cancellationToken);
                CheckTaskResult(result, task);
                var selected = task.ResultSelector is { } selector ? selector.Evaluate(context.Scope(result)) : result;
                var output = ApplyResultPath(task.ResultPath, input, selected, context);
                return new Outcome(ApplyOutputPath(task.OutputPath, output, context), task.Next);
            }
            catch (StatesErrorException error) when (!StatesErrors.IsTerminal(error.Error))
            {
                if (await RetriedAsync(task, task.Retry, retries, error.Error, error.Cause, context, cancellationToken))
                {
                    continue;
                }

                var catcher = task.Catch.FirstOrDefault(c => c.Matches(error.Error));
                if (catcher is null)
                {
                    throw;
                }

                Emit(new ExecutionEvent(ExecutionEventType.StateCaught, Now(), task.Name) { Error = error.Error, Cause = error.Cause, Next = catcher.Next });
                return new Outcome(ApplyResultPath(catcher.ResultPath, input, error.ToErrorOutput(), context), catcher.Next);
            }
        }
    }

    /// <summary>
    /// One attempt, bounded by the Task's TimeoutSeconds: past it the attempt fails with
    /// States.Timeout and an empty cause, whatever the function does next (LocalStack
    /// tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json,
    /// test_fixed_timeout_service_lambda: TaskTimedOut, error States.Timeout; error_handling/
    /// test_task_service_lambda.snapshot.json, the catch_timeout case: the catcher gets
    /// {"Error":"States.Timeout","Cause":""}).
    /// </summary>
    private async Task<JsonNode?> InvokeWithinTimeoutAsync(TaskState task, JsonObject parameters, CancellationToken cancellationToken)
    {
        if (task.TimeoutSeconds is not { } seconds)
        {
            return await InvokeAsync(task, parameters, cancellationToken).WaitAsync(cancellationToken);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds), _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await InvokeAsync(task, parameters, linked.Token).WaitAsync(linked.Token);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StatesErrorException(StatesErrors.Timeout, "");
        }
    }

    private async Task<JsonNode?> InvokeAsync(TaskState task, JsonObject parameters, CancellationToken cancellationToken)
    {
        try
        {
            return task.Resource == StateMachineDefinition.SnsPublish
                ? await PublishAsync(parameters, cancellationToken)
                : await InvokeFunctionAsync(task.FunctionPlaceholder!, parameters, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not StatesErrorException)
        {
            // What our Lambda host reports: Error = errorType, Cause = the whole error body it posts
            // ({"errorMessage","errorType","stackTrace"}), which Lambda returns and Step Functions passes
            // on as is (moto 5.2.1: lambda_eval_utils; LocalStack tests/aws/services/stepfunctions/v2/
            // error_handling/test_task_service_lambda.snapshot.json, test_raise_exception).
            var error = LambdaError.From(ex);
            throw new StatesErrorException(error.ErrorType, Encoding.UTF8.GetString(error.ToJsonBytes()));
        }
    }

    private async Task<JsonNode?> InvokeFunctionAsync(string placeholder, JsonObject parameters, CancellationToken cancellationToken)
    {
        var payload = await _functions[placeholder](parameters["Payload"]?.DeepClone(), cancellationToken);
        return new JsonObject
        {
            ["ExecutedVersion"] = "$LATEST",
            ["Payload"] = payload,
            ["SdkHttpMetadata"] = new JsonObject { ["HttpStatusCode"] = 200 },
            ["SdkResponseMetadata"] = new JsonObject { ["RequestId"] = Guid.NewGuid().ToString() },
            ["StatusCode"] = 200,
        };
    }

    private async Task<JsonNode?> PublishAsync(JsonObject parameters, CancellationToken cancellationToken)
    {
        // Like the SNS integration, a non-string Message is sent as its JSON text.
        var message = parameters["Message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : parameters["Message"]?.ToJsonString() ?? "null";
        await _alerts.PublishAsync(new AlertMessage((string)parameters["TopicArn"]!, (string?)parameters["Subject"], message), cancellationToken);
        return new JsonObject
        {
            ["MessageId"] = Guid.NewGuid().ToString(),
            ["SdkHttpMetadata"] = new JsonObject { ["HttpStatusCode"] = 200 },
            ["SdkResponseMetadata"] = new JsonObject { ["RequestId"] = Guid.NewGuid().ToString() },
        };
    }

    private static JsonNode? ApplyInputPath(JsonPath? path, JsonNode? input, Context context) =>
        Select(path, input, context);

    private static JsonNode? ApplyOutputPath(JsonPath? path, JsonNode? output, Context context) =>
        Select(path, output, context);

    private static JsonNode? Select(JsonPath? path, JsonNode? data, Context context)
    {
        if (path is null)
        {
            return data;
        }

        if (ReferenceEquals(path, State.NullPath))
        {
            return new JsonObject();
        }

        return path.TrySelect(data, out var value)
            ? value?.DeepClone()
            : throw context.Runtime($"Invalid path '{path.Text}' : {path.DescribeMiss(data)}");
    }

    private static JsonNode? ApplyResultPath(JsonPath? path, JsonNode? input, JsonNode? result, Context context) =>
        path is null ? result
        : ReferenceEquals(path, State.NullPath) ? input
        : path.Write(input, result, context.Runtime);

    /// <summary>
    /// A task's parameters or result over 256 KiB fail the task with States.DataLimitExceeded, which
    /// Retry and Catch handle; the cause names the integration ('lambda'), as AWS recorded (LocalStack
    /// tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json,
    /// test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response).
    /// </summary>
    private static void CheckTaskResult(JsonNode? data, TaskState task)
    {
        if (TooLarge(data))
        {
            var integration = task.Resource == StateMachineDefinition.SnsPublish ? "sns" : "lambda";
            throw new StatesErrorException(StatesErrors.DataLimitExceeded,
                $"The state/task '{integration}' returned a result with a size exceeding the maximum number of bytes service limit.");
        }
    }

    /// <summary>
    /// A state's output over 256 KiB fails the execution (nothing catches it), as AWS recorded
    /// (LocalStack tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json, test_start_large_input).
    /// </summary>
    private static void CheckStateOutput(JsonNode? data, string stateName)
    {
        if (TooLarge(data))
        {
            throw new StatesErrorException(StatesErrors.DataLimitExceeded,
                $"The state/task '{stateName}' returned a result with a size exceeding the maximum number of bytes service limit.");
        }
    }

    private static bool TooLarge(JsonNode? data) => Encoding.UTF8.GetByteCount(data?.ToJsonString() ?? "null") > MaxPayloadBytes;

    private ExecutionResult Failed(string name, string? error, string? cause)
    {
        Emit(new ExecutionEvent(ExecutionEventType.ExecutionFailed, Now(), null) { Error = error, Cause = cause });
        return new ExecutionResult(name, ExecutionStatus.Failed, null, error, cause);
    }

    private void EmitState(ExecutionEventType type, State state, JsonNode? data, string? error = null, string? cause = null) =>
        Emit(new ExecutionEvent(type, Now(), state.Name)
        {
            StateType = StateTypeName(state),
            Data = type is ExecutionEventType.StateFailed ? null : data?.ToJsonString() ?? "null",
            Error = error,
            Cause = cause,
        });

    private void Emit(ExecutionEventType type, string? stateName, JsonNode? data, string? error = null, string? cause = null) =>
        Emit(new ExecutionEvent(type, Now(), stateName)
        {
            Data = type is ExecutionEventType.StateFailed or ExecutionEventType.ExecutionFailed ? null : data?.ToJsonString() ?? "null",
            Error = error,
            Cause = cause,
        });

    private void Emit(ExecutionEvent e) => _options.OnEvent?.Invoke(e);

    private DateTimeOffset Now() => _options.TimeProvider.GetUtcNow();

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private readonly record struct Outcome(JsonNode? Output, string? Next, (string? Error, string? Cause)? Failure = null);

    /// <summary>The context object ($$) a state sees; RetryCount grows as the runner retries the state.</summary>
    private sealed class Context(JsonObject execution, JsonObject stateMachine, string stateName, string enteredTime, HistoryIds history)
    {
        public int RetryCount { get; set; }

        public HistoryIds History { get; } = history;

        /// <summary>The id AWS gives this state's ...StateEntered event; AWS's States.Runtime causes name it.</summary>
        public int EnteredEventId { get; } = history.Next();

        public Scope Scope(JsonNode? data, JsonObject? mapItem = null)
        {
            var context = new JsonObject
            {
                ["Execution"] = execution.DeepClone(),
                ["StateMachine"] = stateMachine.DeepClone(),
                ["State"] = new JsonObject { ["Name"] = stateName, ["EnteredTime"] = enteredTime, ["RetryCount"] = RetryCount },
            };
            if (mapItem is not null)
            {
                context["Map"] = new JsonObject { ["Item"] = mapItem };
            }

            return new(data, context, stateName, EnteredEventId);
        }

        public StatesErrorException Runtime(string what) => StatesErrorException.Runtime(stateName, EnteredEventId, what);
    }

    /// <summary>
    /// Counts the events AWS's execution history would hold (ExecutionStarted is #1; a state adds
    /// ...StateEntered and ...StateExited; each task attempt TaskScheduled, TaskStarted and
    /// TaskSucceeded/TaskFailed), only to give States.Runtime causes AWS's "entered at the event id #N".
    /// </summary>
    private sealed class HistoryIds
    {
        private int _last = 1;

        public int Next() => ++_last;

        public void Skip(int count) => _last += count;
    }
}
