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
    public const string ParameterPathFailure = "States.ParameterPathFailure";
    public const string ResultPathMatchFailure = "States.ResultPathMatchFailure";
    public const string IntrinsicFailure = "States.IntrinsicFailure";

    /// <summary>Errors no Retry or Catch can handle; they fail the execution.</summary>
    public static bool IsTerminal(string error) => error is Runtime or DataLimitExceeded;

    /// <summary>Whether a Retry's or Catch's ErrorEquals entry matches an error.</summary>
    public static bool Matches(string pattern, string error) =>
        !IsTerminal(error) && (pattern == error || pattern == All || (pattern == TaskFailed && error != Timeout));
}

/// <summary>A state's failure while the runner executes it: the error name and cause an ASL Catch sees.</summary>
internal sealed class StatesErrorException(string error, string cause) : Exception($"{error}: {cause}")
{
    public string Error { get; } = error;

    public string Cause { get; } = cause;

    /// <summary>The catcher's output, as Step Functions builds it.</summary>
    public JsonObject ToErrorOutput() => new() { ["Error"] = Error, ["Cause"] = Cause };
}
