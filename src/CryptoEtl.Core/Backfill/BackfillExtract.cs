using System.Text.Json;

namespace CryptoEtl.Core.Backfill;

/// <summary>
/// The backfill's Extract side: <see cref="SelectAsync"/> chooses the coins and writes the plan;
/// <see cref="FetchCoinAsync"/> stores one coin's market_chart answer verbatim, or reuses the one
/// already stored (a resumed backfill calls CoinGecko only for the coins it lacks). Both go
/// through the client's pacer and retries, so their errors are Extract's.
/// </summary>
public sealed class BackfillExtract(ICoinHistorySource client, IObjectStore store, TimeProvider time)
{
    public const int DefaultDays = 365;
    public const int DefaultTop = 100;
    public const int MaxTop = 1000;

    /// <summary>Above this many days CoinGecko's automatic granularity is daily at 00:00 UTC; up to it, hourly (from 2 days).</summary>
    public const int MaxHourlyDays = 90;

    /// <summary>The key's tier (keyless, demo, pro), for the budget a backfill is planned against.</summary>
    public string TierName => client.TierName;

    public async Task<BackfillSelection> SelectAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var vsCurrency = request.VsCurrency ?? Steps.ExtractStep.DefaultVsCurrency;
        var days = request.Days ?? DefaultDays;
        ValidateRequest(request, vsCurrency, days, client.MaxHistoryDays, client.TierName);

        var bucket = BucketOf(days);
        var now = time.GetUtcNow().UtcDateTime;
        var historyEnd = new DateTimeOffset(bucket == "day" ? now.Date : now.Date.AddHours(now.Hour), TimeSpan.Zero);
        var top = request.CoinIds is null ? request.Top ?? DefaultTop : (int?)null;
        if (top is { } k && await SamePlanAsync(BackfillKeys.IdStem(historyEnd, bucket, days, vsCurrency), k, cancellationToken) is { } resumed)
        {
            // The same request in the same bucket resumes its plan: the market's order may have moved since.
            return Selection(resumed);
        }

        var (coins, source) = request.CoinIds is { } given
            ? (await NamesOfAsync(given.Select(BackfillKeys.CheckCoinId).Distinct(StringComparer.Ordinal).ToList(), vsCurrency, cancellationToken), null)
            : await TopCoinsAsync(top!.Value, vsCurrency, cancellationToken);
        var ids = coins.Select(c => c.Id).ToList();
        var plan = new BackfillPlan
        {
            BackfillId = BackfillKeys.Id(historyEnd, bucket, days, vsCurrency, ids),
            CoinIds = ids,
            Days = days,
            VsCurrency = vsCurrency,
            PauseSeconds = PauseSeconds(client.CallsPerMinute),
            HistoryEnd = historyEnd,
            Bucket = bucket,
            Top = top,
            SelectedFrom = source,
            Coins = coins,
        };
        // The plan of a given id is written once: a re-run resumes it as it was.
        await store.TryCreateAsync(BackfillKeys.Plan(plan.BackfillId), ContentTypes.Json,
            JsonSerializer.SerializeToUtf8Bytes(plan, BackfillJsonContext.Default.BackfillPlan), cancellationToken);
        return Selection(plan);
    }

    private static BackfillSelection Selection(BackfillPlan plan) => new()
    {
        BackfillId = plan.BackfillId,
        CoinIds = plan.CoinIds,
        Days = plan.Days,
        VsCurrency = plan.VsCurrency,
        PauseSeconds = plan.PauseSeconds,
    };

    /// <summary>A stored plan of a top-<paramref name="top"/> request whose id starts with <paramref name="stem"/>, if any.</summary>
    private async Task<BackfillPlan?> SamePlanAsync(string stem, int top, CancellationToken cancellationToken)
    {
        var plans = new List<string>();
        await foreach (var info in store.ListAsync(BackfillKeys.RawPrefix + stem, cancellationToken))
        {
            if (info.Key.EndsWith("/plan.json", StringComparison.Ordinal))
            {
                plans.Add(info.Key);
            }
        }

        foreach (var key in plans.Order(StringComparer.Ordinal))
        {
            var plan = await ReadPlanAsync(store, key.Split('/')[2], cancellationToken);
            if (plan.Top == top)
            {
                return plan;
            }
        }

        return null;
    }

    public async Task<BackfillCoinOutput> FetchCoinAsync(BackfillCoinInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await ReadPlanAsync(store, input.BackfillId, cancellationToken);
        var coinId = BackfillKeys.CheckCoinId(input.CoinId);
        if (!plan.CoinIds.Contains(coinId, StringComparer.Ordinal))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"coin {coinId} is not one of backfill {plan.BackfillId}'s {plan.CoinIds.Count} coins");
        }

        var key = BackfillKeys.Raw(plan.BackfillId, coinId);
        if (await IsStoredAsync(key, cancellationToken))
        {
            var stored = await store.ReadAllBytesAsync(key, cancellationToken);
            if (MarketChart.Check(stored, out var storedPoints) is null)
            {
                return new BackfillCoinOutput { CoinId = coinId, RawKey = key, Points = storedPoints, Reused = true };
            }
        }

        var answer = await client.GetMarketChartAsync(coinId, plan.VsCurrency, plan.Days, cancellationToken);
        await store.PutBytesAsync(key, ContentTypes.Json, answer.Json, cancellationToken);
        return new BackfillCoinOutput { CoinId = coinId, RawKey = key, Points = answer.Points, Reused = false };
    }

    /// <summary>
    /// The wait between two history calls that keeps a key within its minute limit (Demo, 30 a minute: 2 s),
    /// in whole seconds (a Wait state's) rounded up. Above <see cref="UnpacedCallsPerMinute"/> no key's limit
    /// binds (a stand-in or a replay), so there is no pause: the Wait would only slow a local run.
    /// </summary>
    public static int PauseSeconds(double callsPerMinute) =>
        callsPerMinute > UnpacedCallsPerMinute ? 0 : (int)Math.Ceiling(60 / callsPerMinute);

    /// <summary>A pace faster than this (1,000 a minute, four times Pro's 250) is a stand-in's or a replay's.</summary>
    public const double UnpacedCallsPerMinute = 1000;

    public static string BucketOf(int days) => days > MaxHourlyDays ? "day" : "hour";

    /// <summary>CoinGecko calls the selection makes: none from a stored snapshot or a given list, else one markets page per 250 coins.</summary>
    public static int SelectionCalls(int top) => (top + ICoinMarketSource.MaxPerPage - 1) / ICoinMarketSource.MaxPerPage;

    public static async Task<BackfillPlan> ReadPlanAsync(IObjectStore store, string backfillId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = BackfillKeys.Plan(backfillId);
        var bytes = await store.ReadAllBytesAsync(key, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(bytes, BackfillJsonContext.Default.BackfillPlan)
                ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.RawObjectInvalid, $"{key} is not a backfill plan: {ex.Message}", ex);
        }
    }

    private static void ValidateRequest(BackfillRequest request, string vsCurrency, int days, int maxDays, string tier)
    {
        if (vsCurrency.Length is < 2 or > 10 || !vsCurrency.All(char.IsAsciiLetterLower))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"vs_currency must be a lowercase currency code such as \"usd\", got \"{vsCurrency}\"");
        }

        if (days < 1 || days > maxDays)
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"days must be 1 to {maxDays}: a {tier} key may query history only within the past {maxDays} days (CoinGecko answers error 10012 beyond), got {days}");
        }

        if (request.CoinIds is not null && request.Top is not null)
        {
            throw new PipelineException(ErrorNames.InvalidInput, "give either top or coin_ids, not both");
        }

        if (request.CoinIds is { Count: 0 } || request.CoinIds?.Count > MaxTop || request.Top is < 1 or > MaxTop)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"a backfill takes 1 to {MaxTop} coins (top or coin_ids)");
        }
    }

    /// <summary>The top coins by market cap of the newest stored snapshot in this currency, else of CoinGecko's markets pages now.</summary>
    private async Task<(List<BackfillCoinName> Coins, string? Source)> TopCoinsAsync(int top, string vsCurrency, CancellationToken cancellationToken)
    {
        if (await NewestSnapshotAsync(vsCurrency, cancellationToken) is { } snapshot)
        {
            return ([.. snapshot.Coins.OrderByDescending(c => c.MarketCap ?? -1).Take(top).Select(c => c.Name)], snapshot.Key);
        }

        var coins = new List<BackfillCoinName>(top);
        for (var page = 1; coins.Count < top; page++)
        {
            var perPage = Math.Min(top, ICoinMarketSource.MaxPerPage);
            var answer = await client.GetMarketsPageAsync(vsCurrency, perPage, page, cancellationToken);
            if (answer.IsEmpty)
            {
                break;
            }

            coins.AddRange(ReadCoins(answer.Json).OrderByDescending(c => c.MarketCap ?? -1).Select(c => c.Name)
                .Where(c => coins.All(k => k.Id != c.Id)).Take(top - coins.Count));
        }

        return (coins, client.MarketsUrl(vsCurrency, Math.Min(top, ICoinMarketSource.MaxPerPage), 1).AbsoluteUri);
    }

    private async Task<List<BackfillCoinName>> NamesOfAsync(List<string> ids, string vsCurrency, CancellationToken cancellationToken)
    {
        var snapshot = await NewestSnapshotAsync(vsCurrency, cancellationToken);
        var known = snapshot?.Coins.GroupBy(c => c.Name.Id).ToDictionary(g => g.Key, g => g.First().Name) ?? [];
        return [.. ids.Select(id => known.GetValueOrDefault(id) ?? new BackfillCoinName { Id = id })];
    }

    private sealed record SnapshotCoin(BackfillCoinName Name, double? MarketCap);

    private sealed record StoredSnapshot(string Key, List<SnapshotCoin> Coins);

    /// <summary>The newest raw snapshot object (keys sort by fetch time), when it is in this currency.</summary>
    private async Task<StoredSnapshot?> NewestSnapshotAsync(string vsCurrency, CancellationToken cancellationToken)
    {
        string? newest = null;
        await foreach (var info in store.ListAsync(ObjectKeys.RawPrefix, cancellationToken))
        {
            if (!info.Key.StartsWith(BackfillKeys.RawPrefix, StringComparison.Ordinal) && info.Key.EndsWith(".json", StringComparison.Ordinal)
                && string.CompareOrdinal(info.Key, newest) > 0)
            {
                newest = info.Key;
            }
        }

        if (newest is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await store.ReadAllBytesAsync(newest, cancellationToken));
        var root = document.RootElement;
        if (!root.TryGetProperty(RawSnapshot.Metadata, out var metadata) || !metadata.TryGetProperty(RawSnapshot.VsCurrency, out var vs)
            || vs.GetString() != vsCurrency || !root.TryGetProperty(RawSnapshot.Pages, out var pages) || pages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var coins = new List<SnapshotCoin>();
        foreach (var page in pages.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Array))
        {
            coins.AddRange(ReadCoins(page));
        }

        return new StoredSnapshot(newest, [.. coins.DistinctBy(c => c.Name.Id)]);
    }

    private static List<SnapshotCoin> ReadCoins(byte[] page)
    {
        using var document = JsonDocument.Parse(page);
        return ReadCoins(document.RootElement);
    }

    private static List<SnapshotCoin> ReadCoins(JsonElement page)
    {
        var coins = new List<SnapshotCoin>();
        foreach (var coin in page.EnumerateArray())
        {
            if (coin.ValueKind == JsonValueKind.Object && coin.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && BackfillKeys.IsCoinId(id.GetString()!))
            {
                coins.Add(new SnapshotCoin(
                    new BackfillCoinName { Id = id.GetString()!, Symbol = Text(coin, "symbol"), Name = Text(coin, "name") },
                    coin.TryGetProperty("market_cap", out var cap) && cap.ValueKind == JsonValueKind.Number ? cap.GetDouble() : null));
            }
        }

        return coins;
    }

    private static string? Text(JsonElement coin, string name) =>
        coin.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Asked by listing, as Extract does: an s3:prefix-scoped ListBucket grant answers a list, never a HEAD of a missing key.</summary>
    private async Task<bool> IsStoredAsync(string key, CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(key, cancellationToken))
        {
            if (info.Key == key)
            {
                return true;
            }
        }

        return false;
    }
}
