using System.Text.Json.Nodes;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Server;

/// <summary>
/// Turns the local runner's events, and the calls it makes into the functions and the alert sink,
/// into Step Functions' execution history: ExecutionStarted, {Pass,Task,Fail,Succeed}StateEntered,
/// TaskScheduled, TaskStarted, TaskSucceeded/TaskFailed, {Type}StateExited, ExecutionSucceeded/Failed,
/// ExecutionAborted, and a Map's MapStateStarted, MapIterationStarted/Succeeded/Failed and
/// MapStateSucceeded/Failed (as LocalStack's tests/aws/services/stepfunctions/v2/scenarios/
/// test_base_scenarios.snapshot.json recorded them, test_map_state and test_map_state_catch), with
/// AWS's ids: each event's previousEventId is the one before it (AWS points a Map's events elsewhere at times), except the
/// first state's, which is 0 (as AWS recorded in LocalStack's
/// tests/aws/services/stepfunctions/v2/services/test_lambda_task_service.snapshot.json).
/// </summary>
public sealed class HistoryRecorder(LocalStateMachine machine, ExecutionRecord record, object gate, TimeProvider time, Action changed)
{
    private static readonly DataDetails NotTruncated = new(false);
    private bool _firstStateSeen;
    private bool _closed;
    private bool _taskFailing;
    private (string Type, string Resource)? _task;
    private string? _stoppedIn;
    private bool _taskRunning;

    /// <summary>The state the execution is in now, and since when (null between states).</summary>
    public (string Name, DateTimeOffset Since)? Current { get; private set; }

    public void OnRunnerEvent(ExecutionEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // Under the service's lock: pages read Current from other threads.
        lock (gate)
        {
            Record(e);
        }
    }

    private void Record(ExecutionEvent e)
    {
        if (RecordMap(e))
        {
            return;
        }

        var type = e.StateType ?? (e.StateName is { } s && machine.StateTypes.TryGetValue(s, out var t) ? t : "Task");
        switch (e.Type)
        {
            case ExecutionEventType.EvaluationFailed:
                Add(e.Timestamp, "EvaluationFailed", h => h with { EvaluationFailedEventDetails = new(e.Error, e.Cause, e.StateName!) });
                break;
            case ExecutionEventType.ExecutionStarted:
                // Recorded by ExecutionStarted(...) when StartExecution accepted it, which may be before its turn to run.
                break;
            case ExecutionEventType.StateEntered:
                Current = (e.StateName!, e.Timestamp);
                Add(e.Timestamp, $"{type}StateEntered", h => h with { StateEnteredEventDetails = new(e.StateName!, e.Data ?? "null", NotTruncated) });
                break;
            case ExecutionEventType.StateSucceeded:
                Current = null;
                if (type != "Fail")
                {
                    Add(e.Timestamp, $"{type}StateExited", h => h with { StateExitedEventDetails = new(e.StateName!, e.Data ?? "null", NotTruncated) });
                }

                break;
            case ExecutionEventType.StateRetried or ExecutionEventType.StateCaught or ExecutionEventType.StateFailed:
                if (_taskFailing && _task is { } task)
                {
                    Add(e.Timestamp, "TaskFailed", h => h with { TaskFailedEventDetails = new(task.Type, task.Resource, e.Error, e.Cause) });
                }

                _taskFailing = false;
                if (e.Type == ExecutionEventType.StateFailed)
                {
                    Current = null;
                }

                break;
            case ExecutionEventType.ExecutionSucceeded:
                Add(e.Timestamp, "ExecutionSucceeded", h => h with { ExecutionSucceededEventDetails = new(e.Data ?? "null", NotTruncated) });
                break;
            case ExecutionEventType.ExecutionFailed:
                Add(e.Timestamp, "ExecutionFailed", h => h with { ExecutionFailedEventDetails = new(e.Error, e.Cause) });
                break;
            case ExecutionEventType.ExecutionTimedOut:
                Add(e.Timestamp, "ExecutionTimedOut", h => h);
                break;
            default:
                break;
        }
    }

    /// <summary>A Map state's own events (AWS's MapState*/MapIteration* types); false for any other event.</summary>
    private bool RecordMap(ExecutionEvent e)
    {
        switch (e.Type)
        {
            case ExecutionEventType.MapStarted:
                Add(e.Timestamp, "MapStateStarted", h => h with { MapStateStartedEventDetails = new(e.MapLength) });
                break;
            case ExecutionEventType.MapIterationStarted:
                Add(e.Timestamp, "MapIterationStarted", h => h with { MapIterationStartedEventDetails = new(e.StateName!, e.MapIndex) });
                break;
            case ExecutionEventType.MapIterationSucceeded:
                Current = (e.StateName!, e.Timestamp);
                Add(e.Timestamp, "MapIterationSucceeded", h => h with { MapIterationSucceededEventDetails = new(e.StateName!, e.MapIndex) });
                break;
            case ExecutionEventType.MapIterationFailed:
                Current = (e.StateName!, e.Timestamp);
                Add(e.Timestamp, "MapIterationFailed", h => h with { MapIterationFailedEventDetails = new(e.StateName!, e.MapIndex) });
                break;
            case ExecutionEventType.MapSucceeded:
                Add(e.Timestamp, "MapStateSucceeded", h => h);
                break;
            case ExecutionEventType.MapFailed:
                Add(e.Timestamp, "MapStateFailed", h => h);
                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>ExecutionStarted, at the execution's startDate, as StartExecution accepts it.</summary>
    public void ExecutionStarted() =>
        Add(record.StartDate, "ExecutionStarted", h => h with { ExecutionStartedEventDetails = new(record.Input, NotTruncated, machine.RoleArn) });

    /// <summary>ExecutionAborted, for StopExecution or a server that stopped while the execution ran.</summary>
    public void Aborted(DateTimeOffset at, string? error, string? cause)
    {
        lock (gate)
        {
            // A task under way may still finish (a Load's commit cannot be taken back): its outcome is told when it ends.
            if (!_closed && _taskRunning && Current is { } current)
            {
                _stoppedIn = current.Name;
                record.StopOutcome = $"{current.Name} was running when the execution stopped; its outcome is not known yet";
            }

            Current = null;
        }

        Add(at, "ExecutionAborted", h => h with { ExecutionAbortedEventDetails = new(error, cause) });
    }

    /// <summary>Wraps a lambda:invoke function so its call shows as TaskScheduled, TaskStarted and TaskSucceeded.</summary>
    public Func<JsonNode?, CancellationToken, Task<JsonNode?>> Wrap(string placeholder, Func<JsonNode?, CancellationToken, Task<JsonNode?>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return async (payload, ct) =>
        {
            var parameters = new JsonObject { ["FunctionName"] = LocalStateMachine.FunctionArn(placeholder), ["Payload"] = payload?.DeepClone() };
            Started("lambda", "invoke", parameters);
            JsonNode? result;
            try
            {
                result = await function(payload, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The runner names the error (and retries or catches it) next; TaskFailed carries its name.
                _taskFailing = true;
                Finished(null, ex);
                throw;
            }
            catch (OperationCanceledException ex)
            {
                Finished(null, ex);
                throw;
            }

            Finished(result, null);

            // The lambda:invoke integration's result around the function's own, as the runner builds it.
            Succeeded(new JsonObject
            {
                ["ExecutedVersion"] = "$LATEST",
                ["Payload"] = result?.DeepClone(),
                ["SdkHttpMetadata"] = new JsonObject { ["HttpStatusCode"] = 200 },
                ["StatusCode"] = 200,
            });
            return result;
        };
    }

    /// <summary>After a stop, the task that was running says how it ended: what it committed stands, AWS's status does not change.</summary>
    private void Finished(JsonNode? result, Exception? failure)
    {
        lock (gate)
        {
            _taskRunning = false;
            if (_stoppedIn is not { } state)
            {
                return;
            }

            _stoppedIn = null;
            record.StopOutcome = failure is null
                ? $"{state} was running when the execution stopped and finished anyway; what it did stands: {result?.ToJsonString() ?? "null"}"
                : $"{state} was running when the execution stopped and did not finish ({failure.GetType().Name}): nothing of it was committed";
        }

        changed();
    }

    /// <summary>Wraps the alert sink so sns:publish shows in the history too.</summary>
    public IAlertSink Wrap(IAlertSink alerts) => new RecordingAlertSink(this, alerts);

    private void Started(string resourceType, string resource, JsonObject parameters)
    {
        lock (gate)
        {
            _task = (resourceType, resource);
            _taskRunning = true;
            _taskFailing = false;
        }

        var now = time.GetUtcNow();
        Add(now, "TaskScheduled", h => h with { TaskScheduledEventDetails = new(resourceType, resource, LocalArns.Region, parameters.ToJsonString()) });
        Add(now, "TaskStarted", h => h with { TaskStartedEventDetails = new(resourceType, resource) });
    }

    private void Succeeded(JsonNode output)
    {
        var (resourceType, resource) = _task!.Value;
        Add(time.GetUtcNow(), "TaskSucceeded", h => h with { TaskSucceededEventDetails = new(resourceType, resource, output.ToJsonString(), NotTruncated) });
    }

    private void Add(DateTimeOffset at, string type, Func<HistoryEvent, HistoryEvent> details)
    {
        lock (gate)
        {
            // Once closed (e.g. stopped), a state finishing late adds nothing: AWS's history ends there too.
            if (_closed)
            {
                return;
            }

            _closed = type is "ExecutionSucceeded" or "ExecutionFailed" or "ExecutionAborted" or "ExecutionTimedOut";
            var id = record.Events.Count + 1L;
            var previous = type.EndsWith("StateEntered", StringComparison.Ordinal) && !_firstStateSeen ? 0 : id - 1;
            _firstStateSeen |= type.EndsWith("StateEntered", StringComparison.Ordinal);
            record.Events.Add(details(new HistoryEvent { Timestamp = at, Type = type, Id = id, PreviousEventId = previous }));
        }

        changed();
    }

    private sealed class RecordingAlertSink(HistoryRecorder recorder, IAlertSink inner) : IAlertSink
    {
        public async Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            var parameters = new JsonObject { ["TopicArn"] = alert.TopicArn, ["Subject"] = alert.Subject, ["Message"] = alert.Message };
            recorder.Started("sns", "publish", parameters);
            try
            {
                await inner.PublishAsync(alert, cancellationToken);
            }
            catch (Exception ex)
            {
                recorder._taskFailing = ex is not OperationCanceledException;
                recorder.Finished(null, ex);
                throw;
            }

            recorder.Finished(null, null);

            recorder.Succeeded(new JsonObject { ["MessageId"] = Guid.NewGuid().ToString(), ["SdkHttpMetadata"] = new JsonObject { ["HttpStatusCode"] = 200 } });
        }
    }
}
