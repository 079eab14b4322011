namespace CryptoEtl.LambdaHosting;

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
