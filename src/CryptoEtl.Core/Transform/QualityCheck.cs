namespace CryptoEtl.Core.Transform;

/// <summary>One sanity check of the quality object: passed or not, what was seen, and the ids behind a failure.</summary>
public sealed record QualityCheck(string Name, bool Passed, string Detail, IReadOnlyList<string>? Ids = null);
