using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests.Conformance;

/// <summary>
/// One state machine run to try on both interpreters: a definition, an input, and what each
/// ${Name} function answers, call by call.
/// </summary>
public sealed record Probe(string Name, string Definition, JsonNode? Input, IReadOnlyDictionary<string, FunctionStep[]> Functions)
{
    public JsonObject ToMotoJson()
    {
        var functions = new JsonObject();
        foreach (var (name, steps) in Functions)
        {
            functions[name] = new JsonArray([.. steps.Select(step => (JsonNode)step.ToMotoJson())]);
        }

        return new JsonObject
        {
            ["name"] = Name,
            ["definition"] = Definition,
            ["input"] = Input?.DeepClone(),
            ["functions"] = functions,
            ["jitter"] = Outcome.Jitter,
        };
    }
}

/// <summary>What a function does on one call.</summary>
public abstract record FunctionStep
{
    public abstract JsonObject ToMotoJson();
}

/// <summary>The function returns <see cref="Payload"/>.</summary>
public sealed record Returns(JsonNode? Payload) : FunctionStep
{
    public override JsonObject ToMotoJson() => new() { ["payload"] = Payload?.DeepClone() };
}

/// <summary>
/// The function fails with a pipeline error. The error body is what our Lambda host posts for it
/// (<see cref="LambdaError"/>), with a fixed stack trace so both interpreters get the same bytes.
/// </summary>
public sealed record Fails(string ErrorName, string Message) : FunctionStep
{
    public Exception ToException() => new ScriptedFunctionError(ErrorName, Message);

    public string ErrorBody => Encoding.UTF8.GetString(LambdaError.From(ToException()).ToJsonBytes());

    public override JsonObject ToMotoJson() => new() { ["error"] = JsonNode.Parse(ErrorBody) };

    private sealed class ScriptedFunctionError(string errorName, string message) : PipelineException(errorName, message)
    {
        public override string StackTrace => "at CryptoEtl.Step.RunAsync()\nat CryptoEtl.LambdaHosting.LambdaHost.InvokeAsync()";
    }
}
