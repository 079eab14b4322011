namespace CryptoEtl.Core.Transform;

/// <summary>The denominators of the metrics; null when no kept row had the value.</summary>
public sealed record QualitySums(double? MarketCap, double? TotalVolume, double? GlobalTotalMarketCap);
