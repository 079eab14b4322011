using System.Globalization;

namespace CryptoEtl.LambdaHosting;

/// <summary>The function's own settings, which Lambda puts in the environment of every instance.</summary>
public sealed record LambdaFunctionInfo(
    string FunctionName,
    string FunctionVersion,
    int MemoryLimitMb,
    string? LogGroupName,
    string? LogStreamName)
{
    public static LambdaFunctionInfo FromEnvironment(Func<string, string?> getEnvironment)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        return new(
            getEnvironment("AWS_LAMBDA_FUNCTION_NAME") ?? "local",
            getEnvironment("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
            int.TryParse(getEnvironment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var mb) ? mb : 0,
            getEnvironment("AWS_LAMBDA_LOG_GROUP_NAME"),
            getEnvironment("AWS_LAMBDA_LOG_STREAM_NAME"));
    }
}

/// <summary>One invocation as the Runtime API described it, handed to the handler.</summary>
public sealed class LambdaContext
{
    private readonly TimeProvider _time;

    internal LambdaContext(Invocation invocation, LambdaFunctionInfo function, LambdaLogger logger, TimeProvider time)
    {
        RequestId = invocation.RequestId;
        Deadline = invocation.Deadline;
        InvokedFunctionArn = invocation.InvokedFunctionArn;
        TraceId = invocation.TraceId;
        Function = function;
        Logger = logger;
        _time = time;
    }

    public string RequestId { get; }

    /// <summary>When Lambda stops the invocation (Lambda-Runtime-Deadline-Ms).</summary>
    public DateTimeOffset Deadline { get; }

    public string? InvokedFunctionArn { get; }

    public string? TraceId { get; }

    public LambdaFunctionInfo Function { get; }

    /// <summary>Structured JSON log lines carrying this invocation's request id.</summary>
    public LambdaLogger Logger { get; }

    public TimeSpan RemainingTime => Deadline - _time.GetUtcNow();
}
