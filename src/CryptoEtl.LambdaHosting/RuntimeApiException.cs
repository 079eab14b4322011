namespace CryptoEtl.LambdaHosting;

/// <summary>The Runtime API answered in a way the runtime cannot go on from (it should exit).</summary>
public sealed class RuntimeApiException : Exception
{
    public RuntimeApiException()
    {
    }

    public RuntimeApiException(string message)
        : base(message)
    {
    }

    public RuntimeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
