using System.Text.Json.Nodes;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Server;

/// <summary>
/// A state machine the server runs: the ASL text, its parsed definition, and the AWS-shaped
/// names around it (<see cref="LocalArns"/>, the format $$.Execution.Id uses too). Its functions and
/// its input check are the host's unless it brings its own (a second state machine over the same
/// Lambda functions needs only its own input check).
/// </summary>
public sealed class LocalStateMachine
{
    public LocalStateMachine(string aslText, string name, DateTimeOffset creationDate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(aslText);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Definition = StateMachineDefinition.Parse(aslText);
        AslText = aslText;
        Name = name;
        CreationDate = creationDate;
        Arn = LocalArns.StateMachine(name);
        var states = JsonNode.Parse(aslText)!["States"]!.AsObject();
        StateTypes = states.ToDictionary(s => s.Key, s => (string)s.Value!["Type"]!, StringComparer.Ordinal);
        Graph = StateMachineGraph.FromAsl(aslText);
    }

    public string AslText { get; }

    public StateMachineDefinition Definition { get; }

    public string Name { get; }

    public string Arn { get; }

    public DateTimeOffset CreationDate { get; }

    public string RoleArn => LocalArns.Role(Name);

    /// <summary>The functions by placeholder name; null: <see cref="IPipelineHost.Functions"/>.</summary>
    public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>? Functions { get; init; }

    /// <summary>Why StartExecution refuses an input (InvalidExecutionInput), or null; absent: <see cref="IPipelineHost.CheckInput"/>.</summary>
    public Func<JsonNode?, string?>? CheckInput { get; init; }

    /// <summary>What the console's Start execution form holds at first.</summary>
    public string DefaultInput { get; init; } = ConsolePages.DefaultInput;

    /// <summary>Each state's ASL Type (Pass, Task, Fail, Succeed), for the history's event names.</summary>
    public IReadOnlyDictionary<string, string> StateTypes { get; }

    public StateMachineGraph Graph { get; }

    public string ExecutionArnPrefix => LocalArns.ExecutionPrefix(Name);

    public string ExecutionArn(string executionName) => LocalArns.Execution(Name, executionName);

    /// <summary>A lambda:invoke FunctionName placeholder as a deployed template would substitute it.</summary>
    public static string FunctionArn(string placeholder) =>
        LocalArns.Function(placeholder.Replace("FunctionArn", "", StringComparison.Ordinal));
}
