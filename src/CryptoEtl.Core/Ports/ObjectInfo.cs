namespace CryptoEtl.Core;

/// <summary>An object's metadata, as a store lists it.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string? ContentType);
