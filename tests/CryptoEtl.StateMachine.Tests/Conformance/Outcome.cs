using System.Text.Json.Nodes;
using CryptoEtl.Core;

namespace CryptoEtl.StateMachine.Tests.Conformance;

/// <summary>
/// What one interpreter did with a probe, in the terms both can report: status (SUCCEEDED, FAILED, or
/// REJECTED when the definition was refused), the execution's error and cause, its output, the
/// states entered in order, the retry waits (s), the payloads each function got and the alerts sent.
/// </summary>
public sealed record Outcome(
    string Status,
    string? Error,
    string? Cause,
    JsonNode? Output,
    IReadOnlyList<string> States,
    IReadOnlyList<double> Waits,
    JsonObject Payloads,
    IReadOnlyList<string> Alerts)
{
    /// <summary>The FULL jitter draw both interpreters use: half of the backoff.</summary>
    public const double Jitter = 0.5;

    public static async Task<Outcome> RunLocalAsync(Probe probe)
    {
        StateMachineDefinition definition;
        try
        {
            definition = StateMachineDefinition.Parse(probe.Definition);
        }
        catch (PipelineException rejected)
        {
            return new Outcome("REJECTED", null, rejected.Message, null, [], [], [], []);
        }

        var payloads = new JsonObject();
        var handlers = new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>();
        foreach (var (name, steps) in probe.Functions)
        {
            var received = new JsonArray();
            payloads[name] = received;
            var calls = 0;
            handlers[name] = (payload, _) =>
            {
                received.Add(payload?.DeepClone());
                return steps[calls++] switch
                {
                    Returns r => Task.FromResult(r.Payload?.DeepClone()),
                    Fails f => throw f.ToException(),
                    var other => throw new InvalidOperationException($"unknown step {other}"),
                };
            };
        }

        var states = new List<string>();
        var waits = new List<double>();
        var alerts = new RecordingAlerts();
        var runner = new StateMachineRunner(definition, handlers, alerts, new StateMachineRunnerOptions
        {
            Delay = (wait, _) =>
            {
                waits.Add(wait.TotalSeconds);
                return Task.CompletedTask;
            },
            Random = new FixedRandom(Jitter),
            OnEvent = e =>
            {
                if (e.Type == ExecutionEventType.StateEntered)
                {
                    states.Add(e.StateName!);
                }
            },
        });
        var result = await runner.RunAsync(probe.Input?.DeepClone(), "probe-run");
        return new Outcome(
            result.Succeeded ? "SUCCEEDED" : "FAILED",
            result.Error,
            result.Cause,
            WithoutSdkMetadata(result.Output),
            states,
            waits,
            payloads,
            [.. alerts.Sent.Select(a => $"{a.Subject}|{a.Message}")]);
    }

    public static Outcome FromMoto(JsonNode result) => new(
        (string)result["status"]!,
        (string?)result["error"],
        (string?)result["cause"],
        result["output"]?.DeepClone(),
        [.. result["states"]!.AsArray().Select(s => (string)s!)],
        [.. result["waits"]!.AsArray().Select(w => (double)w!)],
        result["payloads"]!.DeepClone().AsObject(),
        [.. result["alerts"]!.AsArray().Select(a => $"{(string?)a!["subject"]}|{(string)a["message"]!}")]);

    /// <summary>
    /// moto's lambda:invoke result lacks the SdkHttpMetadata and SdkResponseMetadata AWS adds (and
    /// the runner imitates); they hold request ids, so they are left out of the comparison.
    /// </summary>
    private static JsonNode? WithoutSdkMetadata(JsonNode? output)
    {
        if (output is JsonObject obj && obj.ContainsKey("StatusCode"))
        {
            obj.Remove("SdkHttpMetadata");
            obj.Remove("SdkResponseMetadata");
        }

        return output;
    }
}
