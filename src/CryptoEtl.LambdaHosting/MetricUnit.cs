namespace CryptoEtl.LambdaHosting;

public enum MetricUnit
{
    Count,
    Milliseconds,
}
