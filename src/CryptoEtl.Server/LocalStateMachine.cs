using System.Text.Json.Nodes;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Server;

/// <summary>
/// A state machine the server runs: the ASL text, its parsed definition, and the AWS-shaped
/// names around it. The region and account are the local runner's ($$.Execution.Id uses the same),
/// so an execution's ARN here equals the one its states see. Its functions and its input check are
/// the host's unless it brings its own (a second state machine over the same Lambda functions
/// needs only its own input check).
/// </summary>
public sealed class LocalStateMachine
{
    public const string Region = "local";
    public const string Account = "000000000000";

    public LocalStateMachine(string aslText, string name, DateTimeOffset creationDate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(aslText);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Definition = StateMachineDefinition.Parse(aslText);
        AslText = aslText;
        Name = name;
        CreationDate = creationDate;
        Arn = $"arn:aws:states:{Region}:{Account}:stateMachine:{name}";
        var states = JsonNode.Parse(aslText)!["States"]!.AsObject();
        StateTypes = states.ToDictionary(s => s.Key, s => (string)s.Value!["Type"]!, StringComparer.Ordinal);
        Graph = StateMachineGraph.FromAsl(aslText);
    }

    public string AslText { get; }

    public StateMachineDefinition Definition { get; }

    public string Name { get; }

    public string Arn { get; }

    public DateTimeOffset CreationDate { get; }

    /// <summary>The role a deployed state machine runs as; locally a name only.</summary>
    public string RoleArn => $"arn:aws:iam::{Account}:role/{Name}-local";

    /// <summary>The functions by placeholder name; null: <see cref="IPipelineHost.Functions"/>.</summary>
    public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>? Functions { get; init; }

    /// <summary>Why StartExecution refuses an input (InvalidExecutionInput), or null; absent: <see cref="IPipelineHost.CheckInput"/>.</summary>
    public Func<JsonNode?, string?>? CheckInput { get; init; }

    /// <summary>What the console's Start execution form holds at first.</summary>
    public string DefaultInput { get; init; } = ConsolePages.DefaultInput;

    /// <summary>Each state's ASL Type (Pass, Task, Fail, Succeed), for the history's event names.</summary>
    public IReadOnlyDictionary<string, string> StateTypes { get; }

    public StateMachineGraph Graph { get; }

    public string ExecutionArnPrefix => $"arn:aws:states:{Region}:{Account}:execution:{Name}:";

    public string ExecutionArn(string executionName) => ExecutionArnPrefix + executionName;

    /// <summary>A lambda:invoke FunctionName placeholder as a deployed template would substitute it.</summary>
    public static string FunctionArn(string placeholder) =>
        $"arn:aws:lambda:{Region}:{Account}:function:{placeholder.Replace("FunctionArn", "", StringComparison.Ordinal)}";
}
