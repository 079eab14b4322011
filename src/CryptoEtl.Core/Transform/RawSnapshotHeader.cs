namespace CryptoEtl.Core.Transform;

/// <summary>
/// The raw object's metadata and the /global figure Transform needs; the snapshot is the
/// metadata's fetch time, whose raw key is the key the object was read from.
/// </summary>
internal sealed record RawSnapshotHeader(
    SnapshotId Snapshot,
    string VsCurrency,
    bool? Complete,
    double? GlobalTotalMarketCap,
    string? GlobalProblem);
