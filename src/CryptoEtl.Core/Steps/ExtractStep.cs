using System.Text.Json;

namespace CryptoEtl.Core.Steps;

/// <summary>
/// Extract: /global once, then /coins/markets pages 1..N (or to the end of the market), written as
/// one raw object (<see cref="RawSnapshot"/>) under <see cref="ObjectKeys.Raw"/> in a single atomic
/// put. The market comes through <see cref="ICoinMarketSource"/>; progress goes to the step's own
/// <see cref="IExtractObserver"/> (the source tells its retries and waits to its own observer).
/// </summary>
public sealed class ExtractStep
{
    public const string DefaultVsCurrency = "usd";
    public const int DefaultPerPage = ICoinMarketSource.MaxPerPage;

    /// <summary>A pinned fetch_time may be at most this far ahead of the clock (skew between machines).</summary>
    public static readonly TimeSpan MaxFetchTimeAhead = TimeSpan.FromMinutes(5);

    /// <summary>The first day of CoinGecko's market history: no snapshot can be older.</summary>
    public static readonly DateTimeOffset EarliestFetchTime = new(2013, 4, 28, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A sweep's end is believed without a second look once it has this share of /global's active coins.</summary>
    public const double EndShareOfActiveCoins = 0.9;

    /// <summary>
    /// "all" may run to twice /global's active coins: a bound against a server that never ends the
    /// market, not an estimate (new listings, coins on two pages and /global's own lag stay far inside it).
    /// </summary>
    public const double ActiveCoinsHeadroom = 2;

    /// <summary>The most pages "all" fetches when /global could not say how many coins there are (100,000 coins at 250).</summary>
    public const int MaxPagesWithoutGlobal = 400;

    /// <summary>The most one snapshot's pages may take (a full market is ~17 MB).</summary>
    public const long MaxSnapshotBytes = 256L * 1024 * 1024;

    /// <summary>A re-run replaces a stored snapshot only when it keeps at least this share of its coins, unless forced.</summary>
    public const double MinShareOfStoredCoins = 0.5;

    private readonly ICoinMarketSource _source;
    private readonly IObjectStore _store;
    private readonly TimeProvider _time;
    private readonly IExtractObserver? _observer;

    public ExtractStep(ICoinMarketSource source, IObjectStore store, TimeProvider time, IExtractObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _source = source;
        _store = store;
        _time = time;
        _observer = observer;
    }

    /// <summary>
    /// Runs one extract. <paramref name="stopFetchingAt"/> is when fetching must stop (a Lambda
    /// deadline minus the time the write needs): a page that cannot be fetched before it is not
    /// started and one in flight is abandoned; what was fetched is stored and the output says
    /// complete=false with next_page (with nothing fetched, the run fails instead).
    /// </summary>
    public async Task<ExtractOutput> RunAsync(ExtractInput input, DateTimeOffset? stopFetchingAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var vsCurrency = input.VsCurrency ?? DefaultVsCurrency;
        var perPage = input.PerPage ?? DefaultPerPage;
        var pages = input.Pages ?? PageCount.Default;
        Validate(vsCurrency, perPage);
        var now = _time.GetUtcNow();
        var snapshot = SnapshotId.Of(input.FetchTime ?? now);
        ValidateFetchTime(input.FetchTime, snapshot.FetchTime, now);
        await using var lease = await StepLease.AcquireAsync(_store, "extract", _time, cancellationToken);
        var sweep = new Sweep(vsCurrency, perPage, pages.Limit);
        _observer?.OnProgress(sweep.Progress());
        try
        {
            return await FetchAndStoreAsync(input, pages, snapshot, sweep, stopFetchingAt, cancellationToken);
        }
        finally
        {
            _observer?.OnProgress(sweep.Progress() with { Finished = true });
        }
    }

    private async Task<ExtractOutput> FetchAndStoreAsync(
        ExtractInput input, PageCount pages, SnapshotId snapshot, Sweep sweep, DateTimeOffset? stopFetchingAt, CancellationToken cancellationToken)
    {
        await using var spool = new PageSpool(MaxSnapshotBytes);
        var global = await FetchPagesAsync(sweep, spool, stopFetchingAt, cancellationToken);
        var key = snapshot.RawKey;
        await RefuseToShrinkAsync(key, sweep.Coins, input.Force == true, cancellationToken);
        var metadata = new RawSnapshotMetadata
        {
            FetchTime = snapshot.FetchTime,
            VsCurrency = sweep.VsCurrency,
            PerPage = sweep.PerPage,
            PagesRequested = pages,
            PagesFetched = spool.Count,
            NextPage = sweep.NextPage,
            Urls = sweep.Urls,
            GlobalUrl = global?.Url ?? _source.GlobalUrl,
            Coins = sweep.Coins,
            ActiveCoins = sweep.ActiveCoins,
            EndDoubt = sweep.EndDoubt,
        };
        await _store.PutAsync(key, ContentTypes.Json, (stream, ct) => WriteRawAsync(stream, metadata, global, spool, ct), cancellationToken);

        return new ExtractOutput
        {
            FetchTime = snapshot.FetchTime,
            VsCurrency = sweep.VsCurrency,
            RawKey = key,
            Pages = spool.Count,
            Coins = sweep.Coins,
            Complete = sweep.NextPage is null,
            NextPage = sweep.NextPage,
        };
    }

    /// <summary>
    /// /global, then the pages into <paramref name="spool"/> until the market ends, the page limit,
    /// or the deadline (the sweep then records the next page); returns /global, or null without it.
    /// </summary>
    private async Task<GlobalResponse?> FetchPagesAsync(Sweep sweep, PageSpool spool, DateTimeOffset? stopFetchingAt, CancellationToken cancellationToken)
    {
        using var deadline = stopFetchingAt is { } at
            ? new CancellationTokenSource(Clamp(at - _time.GetUtcNow()), _time)
            : new CancellationTokenSource();
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        bool DeadlineHit() => deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

        var global = await FetchGlobalAsync(DeadlineHit, fetching.Token);
        sweep.ActiveCoins = global?.ActiveCoins;
        // "all" ends at CoinGecko's [], but a server that never sends one must not run forever.
        var maxPages = sweep.PagesExpected ?? (sweep.ActiveCoins is { } active
            ? (int)Math.Ceiling(active * ActiveCoinsHeadroom / sweep.PerPage) + 2
            : MaxPagesWithoutGlobal);
        for (var page = 1; sweep.PagesExpected is not { } limit || page <= limit; page++)
        {
            ThrowIfPastMaxPages(sweep, page, maxPages);
            var startsAt = _time.GetUtcNow() + _source.TimeUntilNextCall;
            if (DeadlineHit() || startsAt + sweep.SlowestPage > stopFetchingAt)
            {
                sweep.NextPage = page;
                break;
            }

            var markets = await FetchPageOrEndAsync(sweep, page, DeadlineHit, fetching.Token);
            if (markets is null)
            {
                sweep.NextPage ??= page;
                break;
            }

            sweep.SlowestPage = Max(sweep.SlowestPage, _time.GetUtcNow() - startsAt);
            if (markets.IsEmpty)
            {
                // CoinGecko answers [] past the last coin: the market ends here.
                break;
            }

            await spool.AddAsync(markets.Json, markets.Url, cancellationToken);
            sweep.Add(markets);
            _observer?.OnProgress(sweep.Progress());
        }

        if (spool.Count == 0 && sweep.NextPage is not null)
        {
            throw new PipelineException(ErrorNames.CoinGeckoUnavailable,
                $"no page of {_source.MarketsUrl(sweep.VsCurrency, sweep.PerPage, 1)} arrived before the fetch deadline ({(stopFetchingAt is { } d ? ObjectKeys.Iso(d) : "none")}); nothing stored");
        }

        return global;
    }

    private void ThrowIfPastMaxPages(Sweep sweep, int page, int maxPages)
    {
        if (page > maxPages)
        {
            throw new PipelineException(ErrorNames.CoinGeckoBadResponse,
                $"pages \"all\" passed {maxPages} pages of {sweep.PerPage} without an empty page ({(sweep.ActiveCoins is { } a ? $"/global counts {a} active coins" : "/global gave no coin count")}); "
                + $"CoinGecko never ended the market at {_source.MarketsUrl(sweep.VsCurrency, sweep.PerPage, page)}; nothing stored");
        }
    }

    /// <summary>
    /// The page; null when the deadline cut it, or when [] right after a full page came twice (the
    /// sweep then records its doubt and the next page).
    /// </summary>
    private async Task<MarketsPage?> FetchPageOrEndAsync(Sweep sweep, int page, Func<bool> deadlineHit, CancellationToken cancellationToken)
    {
        var markets = await FetchPageAsync(sweep, page, deadlineHit, cancellationToken);
        if (markets is not { IsEmpty: true } || EndIsBelievable(page, sweep))
        {
            return markets;
        }

        // [] right after a full page, short of /global's count: ask once more before calling it the end.
        markets = await FetchPageAsync(sweep, page, deadlineHit, cancellationToken);
        if (markets is not { IsEmpty: true })
        {
            return markets;
        }

        if (page == 1)
        {
            throw new PipelineException(ErrorNames.CoinGeckoBadResponse,
                $"CoinGecko answered page 1 ({markets.Url}) with [] twice: an empty market is not a market; nothing stored");
        }

        // Stored as what it is: incomplete from this page on (the quality object says source_complete: false).
        sweep.EndDoubt = $"page {page} was empty twice right after a full page {page - 1}, with {sweep.Coins} coins where /global counts "
            + (sweep.ActiveCoins is { } n ? $"{n} active" : "an unknown number (it could not be read)");
        sweep.NextPage = page;
        return null;
    }

    /// <summary>The page, or null when the deadline cut it.</summary>
    private async Task<MarketsPage?> FetchPageAsync(Sweep sweep, int page, Func<bool> deadlineHit, CancellationToken cancellationToken)
    {
        try
        {
            return await _source.GetMarketsPageAsync(sweep.VsCurrency, sweep.PerPage, page, cancellationToken);
        }
        catch (OperationCanceledException) when (deadlineHit())
        {
            return null;
        }
    }

    /// <summary>
    /// The rule for the end of the market: an empty page ends the sweep when the page before it was
    /// short (CoinGecko's last page), or the coins so far reach <see cref="EndShareOfActiveCoins"/>
    /// of /global's active count. Page 1 empty, or [] right after a full page short of that count,
    /// is asked for once more.
    /// </summary>
    private static bool EndIsBelievable(int page, Sweep sweep) =>
        page > 1 && (sweep.LastPageSize < sweep.PerPage || (sweep.ActiveCoins is { } active && sweep.Coins >= active * EndShareOfActiveCoins));

    /// <summary>
    /// A re-run for the same fetch_time must not silently replace a stored snapshot with a much
    /// smaller one (CoinGecko answering [] early turned 4,959 coins into 491): fewer than
    /// <see cref="MinShareOfStoredCoins"/> of the stored coins is refused unless forced.
    /// Fails closed: a stored snapshot it may not read stops the run rather than being replaced unread.
    /// </summary>
    private async Task RefuseToShrinkAsync(string key, int coins, bool force, CancellationToken cancellationToken)
    {
        if (force || !await IsStoredAsync(key, cancellationToken))
        {
            return;
        }

        int stored;
        try
        {
            stored = await StoredCoinsAsync(key, cancellationToken);
        }
        catch (PipelineException ex) when (ex.ErrorName == ErrorNames.ObjectNotFound)
        {
            // Listed a moment ago, so "not found" here is S3's 403 for a key the caller may not read.
            throw new PipelineException(ErrorNames.Configuration,
                $"{key} is stored but this run may not read it, so it cannot tell whether the new snapshot is smaller: kept it. "
                + $"Extract needs s3:GetObject on raw/* ({ex.Message})", ex);
        }

        if (stored > 0 && coins < stored * MinShareOfStoredCoins)
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"{key} already holds {stored} coins and this run got {coins}: kept the stored snapshot (a re-run never replaces one with less than "
                + $"{MinShareOfStoredCoins:P0} of its coins). Run again later, or put \"force\": true in Extract's input to replace it");
        }
    }

    /// <summary>
    /// Whether the key is stored, asked by listing it: S3 answers a HEAD of a missing key 404 only to a
    /// caller that may list the bucket, and an s3:prefix-scoped ListBucket grant counts for a list,
    /// never for a HEAD; a listing the caller may not make fails, never reads as absent.
    /// </summary>
    private async Task<bool> IsStoredAsync(string key, CancellationToken cancellationToken)
    {
        await foreach (var info in _store.ListAsync(key, cancellationToken))
        {
            if (info.Key == key)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The stored raw object's coins: its metadata's count, or (older objects) the coin objects in its pages; 0 when unreadable.</summary>
    private async Task<int> StoredCoinsAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await _store.ReadAllBytesAsync(key, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.TryGetProperty(RawSnapshot.Metadata, out var metadata) && metadata.TryGetProperty(RawSnapshot.Coins, out var counted)
                && counted.TryGetInt32(out var coins))
            {
                return coins;
            }

            return root.TryGetProperty(RawSnapshot.Pages, out var stored) && stored.ValueKind == JsonValueKind.Array
                ? stored.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Array).Sum(p => p.GetArrayLength())
                : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
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
            return await _source.GetGlobalAsync(cancellationToken);
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

    private static async Task WriteRawAsync(Stream stream, RawSnapshotMetadata metadata, GlobalResponse? global, PageSpool spool, CancellationToken cancellationToken)
    {
        // The client already checked every response is JSON of the right shape.
        using var writer = new RawSnapshotWriter(stream, metadata, global is null ? default : global.Json, validate: false);
        await foreach (var page in spool.ReadAsync(cancellationToken))
        {
            writer.WritePage(page.Span);
            await writer.FlushAsync(cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// A pinned fetch_time names the snapshot the report shows as the latest: not more than
    /// <see cref="MaxFetchTimeAhead"/> in the future (9999-12-31 would hide every later run) and not
    /// before <see cref="EarliestFetchTime"/>. Past ones stay allowed: offline replays pin the recording's day.
    /// </summary>
    private static void ValidateFetchTime(DateTimeOffset? pinned, DateTimeOffset fetchTime, DateTimeOffset now)
    {
        if (pinned is not null && (fetchTime > now + MaxFetchTimeAhead || fetchTime < EarliestFetchTime))
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"fetch_time must be between {ObjectKeys.Iso(EarliestFetchTime)} and {MaxFetchTimeAhead.TotalMinutes:0} minutes from now ({ObjectKeys.Iso(now)}), got {ObjectKeys.Iso(fetchTime)}");
        }
    }

    private static void Validate(string vsCurrency, int perPage)
    {
        if (vsCurrency.Length is < 2 or > 10 || !vsCurrency.All(char.IsAsciiLetterLower))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"vs_currency must be a lowercase currency code such as \"usd\" or \"eur\", got \"{vsCurrency}\"");
        }

        if (perPage is < 1 or > ICoinMarketSource.MaxPerPage)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"per_page must be 1..{ICoinMarketSource.MaxPerPage}, got {perPage}");
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // A timer takes at most ~49 days; a deadline further out than that never fires anyway.
    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromDays(30) ? TimeSpan.FromDays(30) : wait;
}
