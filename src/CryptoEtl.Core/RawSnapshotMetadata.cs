namespace CryptoEtl.Core;

/// <summary>What the raw object records about the requests that filled it.</summary>
public sealed record RawSnapshotMetadata
{
    public required DateTimeOffset FetchTime { get; init; }

    public required string VsCurrency { get; init; }

    public required int PerPage { get; init; }

    public required PageCount PagesRequested { get; init; }

    public required int PagesFetched { get; init; }

    /// <summary>Where a stopped run would go on; null when the run got everything it asked for.</summary>
    public int? NextPage { get; init; }

    public IReadOnlyList<Uri> Urls { get; init; } = [];

    public Uri? GlobalUrl { get; init; }
}
