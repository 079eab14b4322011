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
