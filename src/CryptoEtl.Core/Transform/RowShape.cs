namespace CryptoEtl.Core.Transform;

/// <summary>
/// A row as <see cref="SnapshotTransformer"/> encoded it: its length in bytes, its empty fields, and
/// the timestamps among them that were unreadable (a bit per column index; the schema has at most
/// 64 columns, a test holds it).
/// </summary>
internal readonly record struct RowShape(int Length, ulong Nulls, ulong UnreadableTimestamps);
