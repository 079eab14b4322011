using System.Text.Json.Nodes;

namespace CryptoEtl.StateMachine;

/// <summary>What the sns:publish task sends; locally the topic is the file's placeholder (e.g. ${AlertTopicArn}).</summary>
public sealed record AlertMessage(string TopicArn, string? Subject, string Message);

/// <summary>Where the local runner's sns:publish tasks go (the console, a file, a test list).</summary>
public interface IAlertSink
{
    Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken);
}

public enum ExecutionEventType
{
    ExecutionStarted,
    StateEntered,
    StateSucceeded,
    StateRetried,
    StateFailed,
    StateCaught,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,

    /// <summary>A Map state's iterations begin (again, after a retry); <see cref="ExecutionEvent.MapLength"/> items.</summary>
    MapStarted,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapSucceeded,
    MapFailed,

    /// <summary>A state's field evaluated to something it cannot use (a Map's items not an array).</summary>
    EvaluationFailed,
}

/// <summary>
/// One line of the execution's history, like the Step Functions console's event view.
/// <see cref="Data"/> is the JSON the state entered with or left with (execution input/output for the execution events).
/// </summary>
public sealed record ExecutionEvent(ExecutionEventType Type, DateTimeOffset Timestamp, string? StateName)
{
    public string? Data { get; init; }

    public string? Error { get; init; }

    public string? Cause { get; init; }

    /// <summary>StateRetried: the retry number, from 1.</summary>
    public int Attempt { get; init; }

    /// <summary>StateRetried: the wait before the retry.</summary>
    public TimeSpan Wait { get; init; }

    /// <summary>StateCaught: the state the catcher goes to.</summary>
    public string? Next { get; init; }

    /// <summary>The state's ASL Type (Pass, Task, Map, Wait, ...) on the State* events the runner emits for a state.</summary>
    public string? StateType { get; init; }

    /// <summary>MapIteration*: the item's index.</summary>
    public int MapIndex { get; init; }

    /// <summary>MapStarted: how many items.</summary>
    public int MapLength { get; init; }
}

public enum ExecutionStatus
{
    Succeeded,
    Failed,

    /// <summary>The definition's TimeoutSeconds passed; no error or cause, as AWS's DescribeExecution shows it.</summary>
    TimedOut,
}

public sealed record ExecutionResult(string ExecutionName, ExecutionStatus Status, JsonNode? Output, string? Error, string? Cause)
{
    public bool Succeeded => Status == ExecutionStatus.Succeeded;
}

public sealed class StateMachineRunnerOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How retry waits are spent; defaults to a delay on <see cref="TimeProvider"/>. Tests record instead.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }

    /// <summary>Source of FULL jitter.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Called for every history event, in order, on the executing thread.</summary>
    public Action<ExecutionEvent>? OnEvent { get; init; }

    /// <summary>$$.StateMachine.Name.</summary>
    public string StateMachineName { get; init; } = "crypto_etl";
}
