namespace CryptoEtl.Core.Steps;

/// <summary>
/// One extract's page loop, its state in one place: what is asked (currency, page size, pages
/// expected), what came (the URLs, the coins, the last page's size, the slowest page), and how it
/// ended (the next page when cut short, a doubt about the end). Coins are distinct ids: CoinGecko
/// ranks by market cap at the moment of each call, so a coin can move between two pages and appear
/// on both; both copies stay in the raw object, the count says how many coins there really are.
/// </summary>
internal sealed class Sweep(string vsCurrency, int perPage, int? pagesExpected)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly List<Uri> _urls = [];
    private int _withoutId;

    public string VsCurrency => vsCurrency;

    public int PerPage => perPage;

    /// <summary>The pages asked for, or null for "all" (to the end of the market).</summary>
    public int? PagesExpected => pagesExpected;

    public int Coins => _ids.Count + _withoutId;

    /// <summary>The URLs of the pages stored, in order.</summary>
    public IReadOnlyList<Uri> Urls => _urls;

    /// <summary>The coins of the last page stored (a short page is CoinGecko's last).</summary>
    public int LastPageSize { get; private set; }

    /// <summary>/global's count of active coins, when it gave one.</summary>
    public int? ActiveCoins { get; set; }

    /// <summary>The longest a page took so far: the next one is not started unless it fits before the deadline.</summary>
    public TimeSpan SlowestPage { get; set; }

    /// <summary>The first page not fetched when the sweep stopped short of the end; null when it reached it.</summary>
    public int? NextPage { get; set; }

    /// <summary>Why the end of the market is in doubt (an empty page right after a full one, twice); null when it is not.</summary>
    public string? EndDoubt { get; set; }

    public void Add(MarketsPage page)
    {
        _urls.Add(page.Url);
        LastPageSize = page.CoinIds.Count;
        foreach (var id in page.CoinIds)
        {
            if (id is null)
            {
                _withoutId++;
            }
            else
            {
                _ids.Add(id);
            }
        }
    }

    public ExtractProgress Progress() => new(_urls.Count, pagesExpected, Coins);
}
