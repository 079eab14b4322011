using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CryptoEtl.Server;

// The wire shapes of the Step Functions API this server speaks, one concept: field names and
// types from botocore's service model (data/stepfunctions/2016-11-23/service-2.json). Timestamps
// are epoch seconds, as the AWS JSON 1.0 protocol sends them. Unknown request fields are ignored.

public sealed record ListStateMachinesRequest(int? MaxResults, string? NextToken);

public sealed record StateMachineArnRequest(string? StateMachineArn);

public sealed record StartExecutionRequest(string? StateMachineArn, string? Name, string? Input, string? TraceHeader);

public sealed record ExecutionArnRequest(string? ExecutionArn, string? Error, string? Cause);

public sealed record ListExecutionsRequest(string? StateMachineArn, string? StatusFilter, int? MaxResults, string? NextToken);

public sealed record GetExecutionHistoryRequest(string? ExecutionArn, int? MaxResults, string? NextToken, bool? ReverseOrder, bool? IncludeExecutionData);

public sealed record StateMachineListItem(string StateMachineArn, string Name, string Type, DateTimeOffset CreationDate);

public sealed record ListStateMachinesResponse(IReadOnlyList<StateMachineListItem> StateMachines, string? NextToken);

public sealed record DescribeStateMachineResponse(
    string StateMachineArn, string Name, string Status, string Definition, string RoleArn, string Type, DateTimeOffset CreationDate);

public sealed record StartExecutionResponse(string ExecutionArn, DateTimeOffset StartDate);

public sealed record DescribeExecutionResponse
{
    public required string ExecutionArn { get; init; }

    public required string StateMachineArn { get; init; }

    public required string Name { get; init; }

    public required string Status { get; init; }

    public required DateTimeOffset StartDate { get; init; }

    public DateTimeOffset? StopDate { get; init; }

    public string? Input { get; init; }

    public IncludedDetails? InputDetails { get; init; }

    public string? Output { get; init; }

    public IncludedDetails? OutputDetails { get; init; }

    public string? Error { get; init; }

    public string? Cause { get; init; }

    public int RedriveCount { get; init; }
}

public sealed record IncludedDetails(bool Included);

public sealed record ExecutionListItem(string ExecutionArn, string StateMachineArn, string Name, string Status, DateTimeOffset StartDate, DateTimeOffset? StopDate);

public sealed record ListExecutionsResponse(IReadOnlyList<ExecutionListItem> Executions, string? NextToken);

public sealed record GetExecutionHistoryResponse(IReadOnlyList<HistoryEvent> Events, string? NextToken);

public sealed record StopExecutionResponse(DateTimeOffset StopDate);

/// <summary>The error body: botocore reads the error code from __type (after any '#').</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("__type")] string Type,
    [property: JsonPropertyName("message")] string Message);

/// <summary>One history event; exactly one *EventDetails field is set, named for its type.</summary>
public sealed record HistoryEvent
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string Type { get; init; }

    public required long Id { get; init; }

    public long PreviousEventId { get; init; }

    public ExecutionStartedEventDetails? ExecutionStartedEventDetails { get; init; }

    public ExecutionSucceededEventDetails? ExecutionSucceededEventDetails { get; init; }

    public ErrorEventDetails? ExecutionFailedEventDetails { get; init; }

    public ErrorEventDetails? ExecutionAbortedEventDetails { get; init; }

    public StateEnteredEventDetails? StateEnteredEventDetails { get; init; }

    public StateExitedEventDetails? StateExitedEventDetails { get; init; }

    public TaskScheduledEventDetails? TaskScheduledEventDetails { get; init; }

    public TaskResourceDetails? TaskStartedEventDetails { get; init; }

    public TaskSucceededEventDetails? TaskSucceededEventDetails { get; init; }

    public TaskFailedEventDetails? TaskFailedEventDetails { get; init; }

    public MapStateStartedEventDetails? MapStateStartedEventDetails { get; init; }

    public MapIterationEventDetails? MapIterationStartedEventDetails { get; init; }

    public MapIterationEventDetails? MapIterationSucceededEventDetails { get; init; }

    public MapIterationEventDetails? MapIterationFailedEventDetails { get; init; }

    public EvaluationFailedEventDetails? EvaluationFailedEventDetails { get; init; }
}

public sealed record MapStateStartedEventDetails(int Length);

public sealed record MapIterationEventDetails(string Name, int Index);

public sealed record EvaluationFailedEventDetails(string? Error, string? Cause, string State);

public sealed record DataDetails(bool Truncated);

public sealed record ExecutionStartedEventDetails(string Input, DataDetails InputDetails, string RoleArn);

public sealed record ExecutionSucceededEventDetails(string Output, DataDetails OutputDetails);

public sealed record ErrorEventDetails(string? Error, string? Cause);

public sealed record StateEnteredEventDetails(string Name, string Input, DataDetails InputDetails);

public sealed record StateExitedEventDetails(string Name, string Output, DataDetails OutputDetails);

public sealed record TaskScheduledEventDetails(string ResourceType, string Resource, string Region, string Parameters);

public sealed record TaskResourceDetails(string ResourceType, string Resource);

public sealed record TaskSucceededEventDetails(string ResourceType, string Resource, string Output, DataDetails OutputDetails);

public sealed record TaskFailedEventDetails(string ResourceType, string Resource, string? Error, string? Cause);

/// <summary>What the server keeps of one execution in DATA_DIR/executions/NAME.json.</summary>
public sealed record ExecutionRecord
{
    public required string Name { get; init; }

    public required string ExecutionArn { get; init; }

    public required string Input { get; init; }

    public required string Status { get; set; }

    public required DateTimeOffset StartDate { get; init; }

    public DateTimeOffset? StopDate { get; set; }

    public string? Output { get; set; }

    public string? Error { get; set; }

    public string? Cause { get; set; }

    /// <summary>
    /// Not AWS's: for an execution stopped while a task ran, how that task ended. A Load that
    /// finished anyway has committed its rows (`finished anyway`); one that did not, none.
    /// </summary>
    public string? StopOutcome { get; set; }

    public List<HistoryEvent> Events { get; init; } = [];
}

/// <summary>AWS JSON 1.0 sends timestamps as epoch seconds (a JSON number, milliseconds as the fraction).</summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(reader.GetDouble() * 1000));

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue((value.ToUnixTimeMilliseconds() / 1000m).ToString(CultureInfo.InvariantCulture));
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(ListStateMachinesRequest))]
[JsonSerializable(typeof(StateMachineArnRequest))]
[JsonSerializable(typeof(StartExecutionRequest))]
[JsonSerializable(typeof(ExecutionArnRequest))]
[JsonSerializable(typeof(ListExecutionsRequest))]
[JsonSerializable(typeof(GetExecutionHistoryRequest))]
[JsonSerializable(typeof(ListStateMachinesResponse))]
[JsonSerializable(typeof(DescribeStateMachineResponse))]
[JsonSerializable(typeof(StartExecutionResponse))]
[JsonSerializable(typeof(DescribeExecutionResponse))]
[JsonSerializable(typeof(ListExecutionsResponse))]
[JsonSerializable(typeof(GetExecutionHistoryResponse))]
[JsonSerializable(typeof(StopExecutionResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ExecutionRecord))]
[JsonSerializable(typeof(HistoryEvent))]
public sealed partial class StepFunctionsJsonContext : JsonSerializerContext;
