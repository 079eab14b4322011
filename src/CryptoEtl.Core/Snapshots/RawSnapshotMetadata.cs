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

    /// <summary>Distinct coins in the pages; null when not counted (then not written).</summary>
    public int? Coins { get; init; }

    /// <summary>/global's active_cryptocurrencies at fetch time, what the sweep's end was checked against.</summary>
    public int? ActiveCoins { get; init; }

    /// <summary>Why the sweep's end may not be the market's end (an empty page CoinGecko repeated); null when there is no doubt.</summary>
    public string? EndDoubt { get; init; }
}
