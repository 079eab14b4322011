using System.Text.Json.Nodes;
using CryptoEtl.Report;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Server;

/// <summary>
/// What the server needs from the place that composes the pipeline (the CLI's, the same one
/// `cryptoetl run` uses): the state machine's functions and the market report's figures.
/// </summary>
public interface IPipelineHost
{
    /// <summary>The state machine's functions by placeholder name, as <see cref="StateMachineRunner"/> takes them.</summary>
    IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions { get; }

    /// <summary>Where sns:publish goes besides the execution's history (e.g. the server's terminal).</summary>
    IAlertSink Alerts { get; }

    /// <summary>
    /// The running Extract's progress in words (pages, coins, what it waits for), when it told
    /// anything at or after <paramref name="since"/> (the state's start); null otherwise.
    /// </summary>
    string? ExtractProgress(DateTimeOffset since);

    /// <summary>
    /// Why the pipeline would refuse this execution input (a misspelt field, as `cryptoetl run`
    /// refuses it), or null when it takes it: StartExecution refuses it up front as InvalidExecutionInput.
    /// </summary>
    string? CheckInput(JsonNode? input);

    /// <summary>The report's figures, read from the warehouse now (never failing a load under way).</summary>
    Task<ReportData> BuildReportAsync(CancellationToken cancellationToken);
}
