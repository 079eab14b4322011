using System.Text.Json.Nodes;

namespace CryptoEtl.StateMachine;

/// <summary>The error names Step Functions itself raises, as the ASL spec spells them.</summary>
public static class StatesErrors
{
    public const string All = "States.ALL";
    public const string TaskFailed = "States.TaskFailed";
    public const string Timeout = "States.Timeout";
    public const string Runtime = "States.Runtime";
    public const string DataLimitExceeded = "States.DataLimitExceeded";
    // The ASL spec names these three, but AWS (and moto) raise States.Runtime where they would
    // apply (docs/state-machine.md); the runner raises them no more. Kept: a Catch may name them.
    public const string ParameterPathFailure = "States.ParameterPathFailure";
    public const string ResultPathMatchFailure = "States.ResultPathMatchFailure";
    public const string IntrinsicFailure = "States.IntrinsicFailure";

    /// <summary>
    /// Errors no Retry or Catch can handle; they fail the execution (ASL spec, "Errors": States.Runtime).
    /// States.DataLimitExceeded is terminal only for a state's own output, which the runner checks
    /// after Retry and Catch; a task result over the limit is caught by States.ALL, as AWS recorded
    /// (LocalStack tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json,
    /// test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response).
    /// </summary>
    public static bool IsTerminal(string error) => error is Runtime;

    /// <summary>Whether a Retry's or Catch's ErrorEquals entry matches an error.</summary>
    public static bool Matches(string pattern, string error) =>
        !IsTerminal(error) && (pattern == error || pattern == All || (pattern == TaskFailed && error != Timeout));
}

/// <summary>A state's failure while the runner executes it: the error name and cause an ASL Catch sees.</summary>
internal sealed class StatesErrorException(string error, string cause) : Exception($"{error}: {cause}")
{
    public string Error { get; } = error;

    public string Cause { get; } = cause;

    /// <summary>
    /// States.Runtime worded as AWS words it: "An error occurred while executing the state 'X' (entered
    /// at the event id #N). " then what went wrong (LocalStack tests/aws/services/stepfunctions/v2/scenarios/
    /// test_base_scenarios.snapshot.json, test_invalid_jsonpath and test_catch_states_runtime).
    /// </summary>
    public static StatesErrorException Runtime(string stateName, int enteredEventId, string what) =>
        new(StatesErrors.Runtime, $"An error occurred while executing the state '{stateName}' (entered at the event id #{enteredEventId}). {what}");

    /// <summary>The catcher's output, as Step Functions builds it.</summary>
    public JsonObject ToErrorOutput() => new() { ["Error"] = Error, ["Cause"] = Cause };
}
