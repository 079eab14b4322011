using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>
/// Runs a <see cref="StateMachineDefinition"/> in process, the way Step Functions runs it: each
/// lambda:invoke FunctionName placeholder maps to a handler that gets the Payload and returns the
/// function's result; sns:publish goes to an <see cref="IAlertSink"/>. A handler's
/// <see cref="PipelineException"/> becomes the task's error (Error = its error name, Cause = Lambda's
/// {"errorMessage","errorType"} JSON), which Retry and Catch then match.
/// </summary>
public sealed class StateMachineRunner
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
            ["Id"] = $"arn:aws:states:local:000000000000:execution:{_options.StateMachineName}:{name}",
            ["Name"] = name,
            ["StartTime"] = Iso(started),
            ["Input"] = data.DeepClone(),
        };
        var stateMachine = new JsonObject
        {
            ["Id"] = $"arn:aws:states:local:000000000000:stateMachine:{_options.StateMachineName}",
            ["Name"] = _options.StateMachineName,
        };
        Emit(ExecutionEventType.ExecutionStarted, null, data);

        var current = _definition.States[_definition.StartAt];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = new Context(execution, stateMachine, current.Name, Iso(_options.TimeProvider.GetUtcNow()));
            Emit(ExecutionEventType.StateEntered, current.Name, data);
            Outcome outcome;
            try
            {
                outcome = await ExecuteAsync(current, data, context, cancellationToken);
                CheckSize(outcome.Output, current.Name);
            }
            catch (StatesErrorException error)
            {
                Emit(ExecutionEventType.StateFailed, current.Name, null, error.Error, error.Cause);
                return Failed(name, error.Error, error.Cause);
            }

            data = outcome.Output;
            if (outcome.Failure is { } failure)
            {
                Emit(ExecutionEventType.StateFailed, current.Name, null, failure.Error, failure.Cause);
                return Failed(name, failure.Error, failure.Cause);
            }

            Emit(ExecutionEventType.StateSucceeded, current.Name, data);
            if (outcome.Next is null)
            {
                Emit(ExecutionEventType.ExecutionSucceeded, null, data);
                return new ExecutionResult(name, ExecutionStatus.Succeeded, data, null, null);
            }

            current = _definition.States[outcome.Next];
        }
    }

    private async Task<Outcome> ExecuteAsync(State state, JsonNode? input, Context context, CancellationToken cancellationToken)
    {
        switch (state)
        {
            case PassState pass:
            {
                var effective = ApplyInputPath(pass.InputPath, input, state.Name);
                var result = pass.HasResult ? pass.Result?.DeepClone()
                    : pass.Parameters is { } parameters ? parameters.Evaluate(context.Scope(effective))
                    : effective;
                var output = ApplyResultPath(pass.ResultPath, input, result, state.Name);
                return new Outcome(ApplyOutputPath(pass.OutputPath, output, state.Name), pass.Next);
            }

            case TaskState task:
                return await ExecuteTaskAsync(task, input, context, cancellationToken);
            case SucceedState succeed:
            {
                var effective = ApplyInputPath(succeed.InputPath, input, state.Name);
                return new Outcome(ApplyOutputPath(succeed.OutputPath, effective, state.Name), null);
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
                _ => throw new StatesErrorException(StatesErrors.Runtime, $"the {what} of Fail state \"{scope.StateName}\" is not a string"),
            };
    }

    private async Task<Outcome> ExecuteTaskAsync(TaskState task, JsonNode? input, Context context, CancellationToken cancellationToken)
    {
        var effective = ApplyInputPath(task.InputPath, input, task.Name);
        var retries = new int[task.Retry.Count];
        while (true)
        {
            try
            {
                var parameters = task.Parameters.Evaluate(context.Scope(effective));
                CheckSize(parameters, task.Name);
                var result = await InvokeAsync(task, parameters!.AsObject(), cancellationToken);
                CheckSize(result, task.Name);
                var selected = task.ResultSelector is { } selector ? selector.Evaluate(context.Scope(result)) : result;
                var output = ApplyResultPath(task.ResultPath, input, selected, task.Name);
                return new Outcome(ApplyOutputPath(task.OutputPath, output, task.Name), task.Next);
            }
            catch (StatesErrorException error) when (!StatesErrors.IsTerminal(error.Error))
            {
                var retrier = task.Retry.Select((r, i) => (r, i)).FirstOrDefault(x => x.r.Matches(error.Error));
                if (retrier.r is { } matched && retries[retrier.i] < matched.MaxAttempts)
                {
                    var wait = matched.Delay(retries[retrier.i], _options.Random);
                    retries[retrier.i]++;
                    context.RetryCount++;
                    Emit(new ExecutionEvent(ExecutionEventType.StateRetried, Now(), task.Name)
                    {
                        Error = error.Error,
                        Cause = error.Cause,
                        Attempt = context.RetryCount,
                        Wait = wait,
                    });
                    await _delay(wait, cancellationToken);
                    continue;
                }

                var catcher = task.Catch.FirstOrDefault(c => c.Matches(error.Error));
                if (catcher is null)
                {
                    throw;
                }

                Emit(new ExecutionEvent(ExecutionEventType.StateCaught, Now(), task.Name) { Error = error.Error, Cause = error.Cause, Next = catcher.Next });
                return new Outcome(ApplyResultPath(catcher.ResultPath, input, error.ToErrorOutput(), task.Name), catcher.Next);
            }
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
            // What our Lambda host (LambdaError) reports for an unhandled exception: errorType, the
            // error name, is the exception type's full name, so a Catch matches the same name here and in AWS.
            var errorType = ErrorNames.Of(ex);
            var cause = new JsonObject { ["errorMessage"] = ex.Message, ["errorType"] = errorType };
            throw new StatesErrorException(errorType, cause.ToJsonString());
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

    private static JsonNode? ApplyInputPath(JsonPath? path, JsonNode? input, string stateName) =>
        Select(path, input, stateName, "InputPath");

    private static JsonNode? ApplyOutputPath(JsonPath? path, JsonNode? output, string stateName) =>
        Select(path, output, stateName, "OutputPath");

    private static JsonNode? Select(JsonPath? path, JsonNode? data, string stateName, string field)
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
            : throw new StatesErrorException(StatesErrors.Runtime,
                $"An error occurred while executing the state \"{stateName}\". Invalid path '{path.Text}' : No results for path: {field}");
    }

    private static JsonNode? ApplyResultPath(JsonPath? path, JsonNode? input, JsonNode? result, string stateName) =>
        path is null ? result
        : ReferenceEquals(path, State.NullPath) ? input
        : path.Write(input, result, stateName);

    private static void CheckSize(JsonNode? data, string stateName)
    {
        var bytes = Encoding.UTF8.GetByteCount(data?.ToJsonString() ?? "null");
        if (bytes > MaxPayloadBytes)
        {
            throw new StatesErrorException(StatesErrors.DataLimitExceeded,
                $"The state/task \"{stateName}\" returned a result with a size of {bytes} bytes, over the maximum of {MaxPayloadBytes} bytes.");
        }
    }

    private ExecutionResult Failed(string name, string? error, string? cause)
    {
        Emit(new ExecutionEvent(ExecutionEventType.ExecutionFailed, Now(), null) { Error = error, Cause = cause });
        return new ExecutionResult(name, ExecutionStatus.Failed, null, error, cause);
    }

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
    private sealed class Context(JsonObject execution, JsonObject stateMachine, string stateName, string enteredTime)
    {
        public int RetryCount { get; set; }

        public Scope Scope(JsonNode? data) => new(data, new JsonObject
        {
            ["Execution"] = execution.DeepClone(),
            ["StateMachine"] = stateMachine.DeepClone(),
            ["State"] = new JsonObject { ["Name"] = stateName, ["EnteredTime"] = enteredTime, ["RetryCount"] = RetryCount },
        }, stateName);
    }
}
