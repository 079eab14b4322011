using CryptoEtl.Core.CoinGecko;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// The coins an extract has so far. Distinct ids: CoinGecko ranks by market cap at the moment of
/// each call, so a coin can move between two pages and appear on both; both copies stay in the raw
/// object, the count says how many coins there really are.
/// </summary>
internal sealed class Sweep(int? pagesExpected)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private int _withoutId;
    private int _pages;

    public int Coins => _ids.Count + _withoutId;

    public void Add(IReadOnlyList<string?> coinIds)
    {
        _pages++;
        foreach (var id in coinIds)
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

    public ExtractProgress Progress() => new(_pages, pagesExpected, Coins);
}
