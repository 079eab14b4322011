namespace CryptoEtl.StateMachine;

/// <summary>
/// The AWS-shaped names of everything that runs on this machine: region "local", account twelve
/// zeros. One format, so an execution's ARN in the console and the Step Functions API equals the
/// $$.Execution.Id its states see.
/// </summary>
public static class LocalArns
{
    public const string Region = "local";
    public const string Account = "000000000000";

    public static string StateMachine(string name) => $"arn:aws:states:{Region}:{Account}:stateMachine:{name}";

    /// <summary>Every execution ARN of <paramref name="stateMachineName"/> starts with this; the execution's name follows.</summary>
    public static string ExecutionPrefix(string stateMachineName) => $"arn:aws:states:{Region}:{Account}:execution:{stateMachineName}:";

    public static string Execution(string stateMachineName, string executionName) => ExecutionPrefix(stateMachineName) + executionName;

    /// <summary>The role a deployed state machine runs as; locally a name only.</summary>
    public static string Role(string stateMachineName) => $"arn:aws:iam::{Account}:role/{stateMachineName}-local";

    /// <summary>A Lambda function ARN, as a deployed template substitutes a FunctionName placeholder.</summary>
    public static string Function(string functionName) => $"arn:aws:lambda:{Region}:{Account}:function:{functionName}";
}
