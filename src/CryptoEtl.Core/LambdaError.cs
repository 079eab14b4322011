using System.Text.Json;

namespace CryptoEtl.Core;

/// <summary>
/// The documented error body (errorMessage, errorType, stackTrace). errorType is what the state
/// machine's Retry and Catch match, so a <see cref="PipelineException"/> reports its ErrorName.
/// Here, not in LambdaHosting: the Lambda host posts it and the local runner makes a failed
/// Task's Error and Cause of the very same body.
/// </summary>
public sealed record LambdaError(string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace)
{
    /// <param name="exception">What the handler or the init threw.</param>
    /// <param name="deadlineReached">The invocation's deadline token had fired when the exception came.</param>
    public static LambdaError From(Exception exception, bool deadlineReached = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var stackTrace = (exception.StackTrace ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return exception is OperationCanceledException && deadlineReached
            ? new(ErrorNames.DeadlineExceeded, "the invocation was cancelled as its deadline came near", stackTrace)
            : new(ErrorNames.Of(exception), exception.Message, stackTrace);
    }

    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", ErrorMessage);
            json.WriteString("errorType", ErrorType);
            json.WriteStartArray("stackTrace");
            foreach (var frame in StackTrace)
            {
                json.WriteStringValue(frame);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
