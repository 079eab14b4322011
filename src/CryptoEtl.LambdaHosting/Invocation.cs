namespace CryptoEtl.LambdaHosting;

/// <summary>An invocation event from GET /runtime/invocation/next.</summary>
public sealed record Invocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? InvokedFunctionArn,
    string? TraceId,
    byte[] Payload);
