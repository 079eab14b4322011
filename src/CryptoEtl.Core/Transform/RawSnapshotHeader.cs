namespace CryptoEtl.Core.Transform;

/// <summary>The raw object's metadata and the /global figure Transform needs.</summary>
internal sealed record RawSnapshotHeader(
    DateTimeOffset FetchTime,
    string VsCurrency,
    bool? Complete,
    double? GlobalTotalMarketCap,
    string? GlobalProblem);
