using CryptoEtl.Core.CoinGecko;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// Extract: /global once, then /coins/markets pages 1..N (or until an empty page), written as one
/// raw object (<see cref="RawSnapshot"/>) under <see cref="ObjectKeys.Raw"/> in a single atomic put.
/// </summary>
public sealed class ExtractStep
{
    public const string DefaultVsCurrency = "usd";
    public const int DefaultPerPage = CoinGeckoClient.MaxPerPage;


    private readonly CoinGeckoClient _client;
    private readonly IObjectStore _store;
    private readonly TimeProvider _time;

    public ExtractStep(CoinGeckoClient client, IObjectStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _store = store;
        _time = time;
    }

    /// <summary>
    /// Runs one extract. <paramref name="stopFetchingAt"/> is when fetching must stop (a Lambda
    /// deadline minus the time the write needs): a page that cannot be fetched before it is not
    /// started and one in flight is abandoned; what was fetched is stored and the output says
    /// complete=false with next_page.
    /// </summary>
    public async Task<ExtractOutput> RunAsync(ExtractInput input, DateTimeOffset? stopFetchingAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var vsCurrency = input.VsCurrency ?? DefaultVsCurrency;
        var perPage = input.PerPage ?? DefaultPerPage;
        var pages = input.Pages ?? PageCount.Default;
        Validate(vsCurrency, perPage);
        var fetchTime = ObjectKeys.Normalize(input.FetchTime ?? _time.GetUtcNow());

        using var deadline = stopFetchingAt is { } at
            ? new CancellationTokenSource(Clamp(at - _time.GetUtcNow()), _time)
            : new CancellationTokenSource();
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        bool DeadlineHit() => deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

        var global = await FetchGlobalAsync(DeadlineHit, fetching.Token);
        var fetched = new List<MarketsPage>();
        int? nextPage = null;
        var slowestPage = TimeSpan.Zero;
        for (var page = 1; pages.Limit is not { } limit || page <= limit; page++)
        {
            var startsAt = _time.GetUtcNow() + _client.TimeUntilNextCall;
            if (DeadlineHit() || startsAt + slowestPage > stopFetchingAt)
            {
                nextPage = page;
                break;
            }

            MarketsPage markets;
            try
            {
                markets = await _client.GetMarketsPageAsync(vsCurrency, perPage, page, fetching.Token);
            }
            catch (OperationCanceledException) when (DeadlineHit())
            {
                nextPage = page;
                break;
            }

            slowestPage = Max(slowestPage, _time.GetUtcNow() - startsAt);
            if (markets.IsEmpty)
            {
                // CoinGecko answers [] past the last coin: the market ends here.
                break;
            }

            fetched.Add(markets);
        }

        var key = ObjectKeys.Raw(fetchTime);
        await _store.PutAsync(key, ContentTypes.Json,
            (stream, ct) => WriteRawAsync(stream, fetchTime, vsCurrency, perPage, pages, nextPage, global, fetched, ct),
            cancellationToken);

        return new ExtractOutput
        {
            FetchTime = fetchTime,
            VsCurrency = vsCurrency,
            RawKey = key,
            Pages = fetched.Count,
            Coins = CountCoins(fetched),
            Complete = nextPage is null,
            NextPage = nextPage,
        };
    }

    /// <summary>
    /// /global feeds only global_dominance_percentage: when CoinGecko cannot serve it after the
    /// client's retries, the snapshot goes on with "global": null and that metric is null.
    /// Key and configuration errors still fail the run; the pages would fail the same way.
    /// </summary>
    private async Task<GlobalResponse?> FetchGlobalAsync(Func<bool> deadlineHit, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetGlobalAsync(cancellationToken);
        }
        catch (PipelineException ex) when (ex.ErrorName is ErrorNames.CoinGeckoRateLimited or ErrorNames.CoinGeckoUnavailable or ErrorNames.CoinGeckoBadResponse)
        {
            return null;
        }
        catch (OperationCanceledException) when (deadlineHit())
        {
            return null;
        }
    }

    private async Task WriteRawAsync(
        Stream stream, DateTimeOffset fetchTime, string vsCurrency, int perPage, PageCount pages, int? nextPage,
        GlobalResponse? global, List<MarketsPage> fetched, CancellationToken cancellationToken)
    {
        var metadata = new RawSnapshotMetadata
        {
            FetchTime = fetchTime,
            VsCurrency = vsCurrency,
            PerPage = perPage,
            PagesRequested = pages,
            PagesFetched = fetched.Count,
            NextPage = nextPage,
            Urls = [.. fetched.Select(page => page.Url)],
            GlobalUrl = _client.GlobalUrl,
        };
        // The client already checked every response is JSON of the right shape.
        using var writer = new RawSnapshotWriter(stream, metadata, global is null ? default : global.Json, validate: false);
        foreach (var page in fetched)
        {
            writer.WritePage(page.Json);
            await writer.FlushAsync(cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>Distinct coins: CoinGecko's ranking can shift between page calls and repeat a coin.</summary>
    private static int CountCoins(List<MarketsPage> pages)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var withoutId = 0;
        foreach (var page in pages)
        {
            foreach (var id in page.CoinIds)
            {
                if (id is null)
                {
                    withoutId++;
                }
                else
                {
                    ids.Add(id);
                }
            }
        }

        return ids.Count + withoutId;
    }

    private static void Validate(string vsCurrency, int perPage)
    {
        if (vsCurrency.Length is < 2 or > 10 || !vsCurrency.All(char.IsAsciiLetterLower))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"vs_currency must be a lowercase currency code such as \"usd\" or \"eur\", got \"{vsCurrency}\"");
        }

        if (perPage is < 1 or > CoinGeckoClient.MaxPerPage)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"per_page must be 1..{CoinGeckoClient.MaxPerPage}, got {perPage}");
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // A timer takes at most ~49 days; a deadline further out than that never fires anyway.
    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromDays(30) ? TimeSpan.FromDays(30) : wait;
}
