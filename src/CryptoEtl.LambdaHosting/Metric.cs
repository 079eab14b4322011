namespace CryptoEtl.LambdaHosting;

public readonly record struct Metric(string Name, double Value, MetricUnit Unit);
