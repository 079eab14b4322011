using System.Text.Json.Serialization.Metadata;

namespace CryptoEtl.LambdaHosting;

/// <summary>What a function tells the host: its name, its JSON contracts, how to build its handler.</summary>
public sealed class LambdaFunction<TIn, TOut>
{
    /// <summary>The step's name ("extract"): the EMF dimension and a field of the log lines.</summary>
    public required string Name { get; init; }

    public required JsonTypeInfo<TIn> Input { get; init; }

    public required JsonTypeInfo<TOut> Output { get; init; }

    /// <summary>
    /// Runs once per instance, before the first invocation (reads settings and secrets, builds
    /// clients). A throw here is reported to /init/error and the process exits.
    /// </summary>
    public required Func<LambdaLogger, CancellationToken, Task<Func<TIn, LambdaContext, CancellationToken, Task<TOut>>>> Initialize { get; init; }

    /// <summary>Per-step metrics taken from a successful output; the host adds the duration.</summary>
    public Func<TOut, IReadOnlyList<Metric>>? Metrics { get; init; }
}
