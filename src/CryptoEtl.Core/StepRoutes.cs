using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace CryptoEtl.Core;

/// <summary>
/// One function serving several contracts, told apart by the input's top-level key (the snapshot
/// steps and the backfill's: docs/backfill.md). Every host dispatches through it, the Lambda
/// functions and the local runner alike, so an input means the same everywhere. An input with
/// none of the keys goes to the default contract, whose own parser then refuses unknown fields.
/// </summary>
public sealed class StepRoutes
{
    private readonly List<(string Key, bool Wrapped, Func<JsonNode?, string, CancellationToken, Task<JsonNode?>> Run)> _routes = [];
    private Func<JsonNode?, string, CancellationToken, Task<JsonNode?>>? _default;

    /// <summary>{"key": {...contract...}}: the key's value is the input, and the key must be the only one.</summary>
    public StepRoutes Wrapped<TIn, TOut>(string key, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, Func<TIn, CancellationToken, Task<TOut>> run)
    {
        _routes.Add((key, true, Typed(input, output, run)));
        return this;
    }

    /// <summary>{"key": ..., ...}: an input holding the key is this contract, whole.</summary>
    public StepRoutes Marked<TIn, TOut>(string key, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, Func<TIn, CancellationToken, Task<TOut>> run)
    {
        _routes.Add((key, false, Typed(input, output, run)));
        return this;
    }

    public StepRoutes Otherwise<TIn, TOut>(JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, Func<TIn, CancellationToken, Task<TOut>> run)
    {
        _default = Typed(input, output, run);
        return this;
    }

    public Task<JsonNode?> InvokeAsync(JsonNode? payload, CancellationToken cancellationToken) => InvokeAsync(payload, "the input", cancellationToken);

    /// <param name="payload">The input.</param>
    /// <param name="source">What the input is, for messages: "the event", "--input".</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    public Task<JsonNode?> InvokeAsync(JsonNode? payload, string source, CancellationToken cancellationToken)
    {
        if (payload is JsonObject fields)
        {
            foreach (var (key, wrapped, run) in _routes)
            {
                if (!fields.ContainsKey(key))
                {
                    continue;
                }

                if (!wrapped)
                {
                    return run(payload, source, cancellationToken);
                }

                if (fields.Count != 1)
                {
                    throw new PipelineException(ErrorNames.InvalidInput,
                        $"{source} with \"{key}\" takes no other field; got {string.Join(", ", fields.Select(f => $"\"{f.Key}\""))}");
                }

                return run(fields[key], $"{source}'s \"{key}\"", cancellationToken);
            }
        }

        return (_default ?? throw new PipelineException(ErrorNames.InvalidInput, $"{source} matches none of this function's contracts"))(payload, source, cancellationToken);
    }

    /// <summary>A whole number of the output (a metric), or null when the output has none by that name.</summary>
    public static double? Number(JsonNode? output, string name) =>
        output is JsonObject o && o[name] is JsonValue v && v.TryGetValue<double>(out var n) ? n
        : output is JsonObject p && p[name] is JsonValue b && b.TryGetValue<bool>(out var flag) ? (flag ? 1 : 0)
        : null;

    private static Func<JsonNode?, string, CancellationToken, Task<JsonNode?>> Typed<TIn, TOut>(
        JsonTypeInfo<TIn> inputType, JsonTypeInfo<TOut> outputType, Func<TIn, CancellationToken, Task<TOut>> run)
    {
        ArgumentNullException.ThrowIfNull(inputType);
        ArgumentNullException.ThrowIfNull(outputType);
        ArgumentNullException.ThrowIfNull(run);
        return async (payload, source, ct) =>
        {
            var input = StepInputJson.Parse(payload, inputType, source);
            var output = await run(input, ct);
            return JsonSerializer.SerializeToNode(output, outputType);
        };
    }
}
