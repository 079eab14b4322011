namespace CryptoEtl.Core;

/// <summary>
/// The market Extract reads (CoinGecko, or its recording offline): /coins/markets pages and /global,
/// each answer's bytes verbatim, already checked to be the shape asked for. Calls are sequential:
/// one source serves one run.
/// </summary>
public interface ICoinMarketSource
{
    /// <summary>The largest page a source serves (CoinGecko's per_page limit, docs: /coins/markets).</summary>
    public const int MaxPerPage = 250;

    /// <summary>The /global URL, for the snapshot's metadata when /global could not be read.</summary>
    Uri GlobalUrl { get; }

    /// <summary>The time from now until the source's pacing lets the next call go (zero when it may go now).</summary>
    TimeSpan TimeUntilNextCall { get; }

    /// <summary>The URL of one markets page (an InvalidInput error for a per_page or page out of range).</summary>
    Uri MarketsUrl(string vsCurrency, int perPage, int page);

    Task<MarketsPage> GetMarketsPageAsync(string vsCurrency, int perPage, int page, CancellationToken cancellationToken);

    Task<GlobalResponse> GetGlobalAsync(CancellationToken cancellationToken);
}
