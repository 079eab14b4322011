using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Server;

/// <summary>
/// The AWS JSON 1.0 protocol: POST / with X-Amz-Target: AWSStepFunctions.ACTION and a JSON body;
/// answers 200 with the action's output or 400 with {"__type", "message"}. Any SigV4 signature is
/// accepted: the server listens on loopback only (unless told otherwise) and checks no credential.
/// </summary>
public sealed class StepFunctionsApi(ExecutionService executions)
{
    public const string TargetPrefix = "AWSStepFunctions.";
    public const string ContentType = "application/x-amz-json-1.0";
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    /// <summary>The actions this server implements, by X-Amz-Target's ACTION; another is UnknownOperationException.</summary>
    private static readonly Dictionary<string, Func<ExecutionService, byte[], HttpContext, Task>> Actions = new(StringComparer.Ordinal)
    {
        ["ListStateMachines"] = ListStateMachinesAsync,
        ["DescribeStateMachine"] = DescribeStateMachineAsync,
        ["StartExecution"] = StartExecutionAsync,
        ["DescribeExecution"] = DescribeExecutionAsync,
        ["ListExecutions"] = ListExecutionsAsync,
        ["GetExecutionHistory"] = GetExecutionHistoryAsync,
        ["StopExecution"] = StopExecutionAsync,
    };

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        try
        {
            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                throw new StepFunctionsException("UnknownOperationException", $"no X-Amz-Target of the form {TargetPrefix}ACTION: '{target}'");
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var json = body.Length == 0 ? "{}"u8.ToArray() : body.ToArray();
            var action = Actions.GetValueOrDefault(target[TargetPrefix.Length..])
                ?? throw new StepFunctionsException("UnknownOperationException", $"this local server does not implement {target}");
            await action(executions, json, context);
        }
        catch (StepFunctionsException ex)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteAsync(context, new ErrorResponse(ex.ErrorType, ex.Message), StepFunctionsJsonContext.Default.ErrorResponse);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel stopped reading at the limit: what a request may hold is bounded, whatever it claims.
            context.Response.StatusCode = ex.StatusCode;
            await WriteAsync(context, new ErrorResponse("ValidationException",
                $"the request body is larger than {ConsoleServerOptions.MaxRequestBodyBytes} bytes; an execution input is {ExecutionService.MaxInputLength} characters at most"),
                StepFunctionsJsonContext.Default.ErrorResponse);
        }
    }

    private static Task ListStateMachinesAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        Read(json, c.ListStateMachinesRequest);
        return WriteAsync(context, new ListStateMachinesResponse(
            [.. executions.Machines.Select(machine => new StateMachineListItem(machine.Arn, machine.Name, "STANDARD", machine.CreationDate))], null), c.ListStateMachinesResponse);
    }

    private static Task DescribeStateMachineAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var m = executions.StateMachine(Read(json, c.StateMachineArnRequest).StateMachineArn);
        return WriteAsync(context, new DescribeStateMachineResponse(m.Arn, m.Name, "ACTIVE", m.AslText, m.RoleArn, "STANDARD", m.CreationDate), c.DescribeStateMachineResponse);
    }

    private static Task StartExecutionAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var start = Read(json, c.StartExecutionRequest);
        var started = executions.Start(start.StateMachineArn, start.Name, start.Input);
        return WriteAsync(context, new StartExecutionResponse(started.ExecutionArn, started.StartDate), c.StartExecutionResponse);
    }

    private static Task DescribeExecutionAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var r = executions.Describe(Read(json, c.ExecutionArnRequest).ExecutionArn);
        return WriteAsync(context, new DescribeExecutionResponse
        {
            ExecutionArn = r.ExecutionArn,
            StateMachineArn = executions.MachineOf(r).Arn,
            Name = r.Name,
            Status = r.Status,
            StartDate = r.StartDate,
            StopDate = r.StopDate,
            Input = r.Input,
            InputDetails = new IncludedDetails(true),
            Output = r.Output,
            OutputDetails = r.Output is null ? null : new IncludedDetails(true),
            Error = r.Error,
            Cause = r.Cause,
        }, c.DescribeExecutionResponse);
    }

    private static Task ListExecutionsAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var list = Read(json, c.ListExecutionsRequest);
        if (list.StateMachineArn is null)
        {
            throw StepFunctionsException.Validation("Must provide a StateMachine ARN or MapRun ARN");
        }

        var all = executions.List(list.StateMachineArn, list.StatusFilter);
        var (items, next) = Page(all, list.MaxResults, list.NextToken);
        return WriteAsync(context, new ListExecutionsResponse(
            [.. items.Select(e => new ExecutionListItem(e.ExecutionArn, list.StateMachineArn, e.Name, e.Status, e.StartDate, e.StopDate))], next),
            c.ListExecutionsResponse);
    }

    private static Task GetExecutionHistoryAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var history = Read(json, c.GetExecutionHistoryRequest);
        var events = executions.Describe(history.ExecutionArn).Events.AsEnumerable();
        if (history.ReverseOrder == true)
        {
            events = events.Reverse();
        }

        var (page, token) = Page([.. events], history.MaxResults, history.NextToken);
        return WriteAsync(context, new GetExecutionHistoryResponse(page, token), c.GetExecutionHistoryResponse);
    }

    private static Task StopExecutionAsync(ExecutionService executions, byte[] json, HttpContext context)
    {
        var c = StepFunctionsJsonContext.Default;
        var stop = Read(json, c.ExecutionArnRequest);
        return WriteAsync(context, new StopExecutionResponse(executions.Stop(stop.ExecutionArn, stop.Error, stop.Cause)), c.StopExecutionResponse);
    }

    private static T Read<T>(byte[] json, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new StepFunctionsException("SerializationException", "the request body is JSON null");
        }
        catch (JsonException ex)
        {
            throw new StepFunctionsException("SerializationException", $"the request body is not the action's JSON: {ex.Message}");
        }
    }

    /// <summary>maxResults 0 or absent means the default page (100); more than 1000 is refused, as AWS does.</summary>
    private static (IReadOnlyList<T> Items, string? NextToken) Page<T>(IReadOnlyList<T> all, int? maxResults, string? nextToken)
    {
        if (maxResults is < 0 or > MaxPageSize)
        {
            throw StepFunctionsException.Validation(
                $"1 validation error detected: Value '{maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {MaxPageSize}");
        }

        var size = maxResults is null or 0 ? DefaultPageSize : maxResults.Value;
        var offset = ExecutionService.PageOffset(nextToken);
        if (offset > all.Count)
        {
            throw StepFunctionsException.InvalidToken(nextToken!);
        }

        var items = all.Skip(offset).Take(size).ToList();
        return (items, offset + size < all.Count ? ExecutionService.PageToken(offset + size) : null);
    }

    private static async Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
