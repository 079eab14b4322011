using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine;

/// <summary>Turns a typed step into the JSON-in, JSON-out function a Task state invokes.</summary>
public static class TypedFunction
{
    public static Func<JsonNode?, CancellationToken, Task<JsonNode?>> Create<TIn, TOut>(
        JsonTypeInfo<TIn> inputType,
        JsonTypeInfo<TOut> outputType,
        Func<TIn, CancellationToken, Task<TOut>> run)
    {
        ArgumentNullException.ThrowIfNull(inputType);
        ArgumentNullException.ThrowIfNull(outputType);
        ArgumentNullException.ThrowIfNull(run);
        return new StepRoutes().Otherwise(inputType, outputType, run).InvokeAsync;
    }
}
