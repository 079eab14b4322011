namespace CryptoEtl.LambdaHosting;

public sealed class LambdaHostOptions
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>host:port of the Runtime API; null when not running under Lambda.</summary>
    public string? RuntimeApi { get; init; }

    public required LambdaFunctionInfo Function { get; init; }

    /// <summary>How long before the deadline the handler's token fires, to leave time to report.</summary>
    public TimeSpan CancellationMargin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where log lines and EMF records go: stdout, which Lambda sends to CloudWatch Logs.</summary>
    public Stream Output { get; init; } = Console.OpenStandardOutput();

    public static LambdaHostOptions FromEnvironment() => new()
    {
        RuntimeApi = Environment.GetEnvironmentVariable(RuntimeApiVariable),
        Function = LambdaFunctionInfo.FromEnvironment(Environment.GetEnvironmentVariable),
    };
}
