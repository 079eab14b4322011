using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace CryptoEtl.Core.CoinGecko;

/// <summary>One /coins/markets page as CoinGecko sent it, with the coin ids found in it (null for a coin without one).</summary>
public sealed record MarketsPage(int Page, Uri Url, byte[] Json, IReadOnlyList<string?> CoinIds)
{
    public bool IsEmpty => CoinIds.Count == 0;
}

/// <summary>The /global response as CoinGecko sent it.</summary>
public sealed record GlobalResponse(Uri Url, byte[] Json);

/// <summary>
/// Reads CoinGecko's /coins/markets and /global and returns their bytes verbatim (checked, never
/// re-serialized). Paces calls to the tier's budget, retries 429, 5xx, timeouts and dropped
/// connections with backoff and jitter (honouring Retry-After), and turns everything else into a
/// <see cref="PipelineException"/> whose message names the URL and CoinGecko's own words.
/// Calls are sequential: one client serves one run.
/// </summary>
public sealed class CoinGeckoClient
{
    public const int MaxPerPage = 250;

    // CoinGecko's codes for key problems (docs: "Errors & Rate Limits"); 10005 is a plan restriction.
    private const int ApiKeyMissing = 10002;
    private const int PlanRestricted = 10005;
    private const int ProKeyOnDemoHost = 10010;
    private const int DemoKeyOnProHost = 10011;

    private readonly HttpClient _http;
    private readonly CoinGeckoOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _jitter;
    private readonly TimeSpan _callInterval;
    private readonly string _baseUrl;
    private DateTimeOffset _nextCallAt = DateTimeOffset.MinValue;

    public CoinGeckoClient(HttpClient http, CoinGeckoOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (!(options.EffectiveCallsPerMinute > 0) || options.MaxRetries < 0)
        {
            throw new PipelineException(ErrorNames.Configuration, "CoinGecko calls per minute must be positive and retries not negative");
        }

        _http = http;
        _options = options;
        _time = time;
        _jitter = options.JitterSeed is { } seed ? new Random(seed) : Random.Shared;
        _callInterval = TimeSpan.FromMinutes(1) / options.EffectiveCallsPerMinute;
        _baseUrl = options.BaseUrl.AbsoluteUri.TrimEnd('/');
    }

    public CoinGeckoOptions Options => _options;

    /// <summary>The time from now until the pacer lets the next call go (zero when it may go now).</summary>
    public TimeSpan TimeUntilNextCall
    {
        get
        {
            var wait = _nextCallAt - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>A handler for production: pooled connections, gzip/brotli (a full sweep shrinks ~6x on the wire).</summary>
    public static HttpMessageHandler CreateDefaultHandler() => new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public Uri GlobalUrl => new($"{_baseUrl}/global");

    public Uri MarketsUrl(string vsCurrency, int perPage, int page)
    {
        ArgumentNullException.ThrowIfNull(vsCurrency);
        if (perPage is < 1 or > MaxPerPage || page < 1)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"per_page must be 1..{MaxPerPage} and page at least 1, got per_page={perPage}, page={page}");
        }

        return new Uri(string.Create(CultureInfo.InvariantCulture,
            $"{_baseUrl}/coins/markets?vs_currency={Uri.EscapeDataString(vsCurrency)}&order=market_cap_desc&per_page={perPage}&page={page}&price_change_percentage=24h"));
    }

    public async Task<MarketsPage> GetMarketsPageAsync(string vsCurrency, int perPage, int page, CancellationToken cancellationToken)
    {
        var url = MarketsUrl(vsCurrency, perPage, page);
        var ids = new List<string?>(perPage);
        var json = await GetAsync(url, body =>
        {
            ids.Clear();
            return CoinGeckoJson.CheckMarketsPage(body, ids);
        }, cancellationToken);
        return new MarketsPage(page, url, json, ids);
    }

    public async Task<GlobalResponse> GetGlobalAsync(CancellationToken cancellationToken)
    {
        var url = GlobalUrl;
        return new GlobalResponse(url, await GetAsync(url, body => CoinGeckoJson.CheckGlobal(body), cancellationToken));
    }

    private delegate string? BodyCheck(ReadOnlySpan<byte> body);

    private async Task<byte[]> GetAsync(Uri url, BodyCheck check, CancellationToken cancellationToken)
    {
        var badBodies = 0;
        for (var attempt = 1; ; attempt++)
        {
            await WaitForCallSlotAsync(cancellationToken);
            var outcome = await SendAsync(url, cancellationToken);
            string reason;
            TimeSpan? retryAfter = null;
            var rateLimited = false;
            if (outcome.Status is { } status && (int)status is >= 200 and < 300)
            {
                var problem = check(outcome.Body);
                if (problem is null)
                {
                    return outcome.Body;
                }

                // A cut or garbled 200 is usually a proxy hiccup: one more try, then it is CoinGecko's bug.
                if (++badBodies > 1 || attempt > _options.MaxRetries)
                {
                    throw new PipelineException(ErrorNames.CoinGeckoBadResponse, $"CoinGecko answered {Redacted(url)} with HTTP {(int)status} and a body that is not what was asked for, twice: {problem}");
                }

                reason = $"HTTP {(int)status} with a bad body: {problem}";
            }
            else if (outcome.Status is { } failed)
            {
                var code = (int)failed;
                var (errorCode, message) = CoinGeckoJson.ReadError(outcome.Body);
                ThrowIfPermanent(url, code, errorCode, message);
                rateLimited = failed == HttpStatusCode.TooManyRequests;
                retryAfter = RetryAfterOf(outcome.RetryAfter);
                reason = $"HTTP {code}: {message}";
            }
            else
            {
                reason = outcome.TransportError!;
            }

            var errorName = rateLimited ? ErrorNames.CoinGeckoRateLimited : ErrorNames.CoinGeckoUnavailable;
            if (attempt > _options.MaxRetries)
            {
                throw new PipelineException(errorName, $"CoinGecko: gave up on {Redacted(url)} after {attempt} attempts; last: {reason}");
            }

            if (retryAfter > _options.MaxRetryAfter)
            {
                throw new PipelineException(errorName, $"CoinGecko asked to wait {retryAfter.Value.TotalSeconds:0} s before retrying {Redacted(url)} (more than the {_options.MaxRetryAfter.TotalSeconds:0} s allowed); last: {reason}");
            }

            var delay = retryAfter ?? Backoff(attempt);
            _options.OnRetry?.Invoke(new CoinGeckoRetry(url, attempt, reason, delay));
            var retryAt = _time.GetUtcNow() + delay;
            if (retryAt > _nextCallAt)
            {
                _nextCallAt = retryAt;
            }
        }
    }

    /// <summary>Even spacing at the tier's rate: every attempt, retries included, is a call CoinGecko counts.</summary>
    private async Task WaitForCallSlotAsync(CancellationToken cancellationToken)
    {
        var wait = TimeUntilNextCall;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }

        var now = _time.GetUtcNow();
        _nextCallAt = (now > _nextCallAt ? now : _nextCallAt) + _callInterval;
    }

    private readonly record struct Outcome(HttpStatusCode? Status, byte[] Body, RetryConditionHeaderValue? RetryAfter, string? TransportError);

    private async Task<Outcome> SendAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.TryAddWithoutValidation(
                _options.Tier == CoinGeckoTier.Pro ? CoinGeckoOptions.ProKeyHeader : CoinGeckoOptions.DemoKeyHeader, _options.ApiKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return new Outcome(response.StatusCode, body, response.Headers.RetryAfter, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout, or a shorter HttpClient.Timeout set by whoever built the HttpClient.
            var limit = timeout.IsCancellationRequested ? _options.RequestTimeout : _http.Timeout;
            return new Outcome(null, [], null, $"no complete answer within {limit.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, [], null, $"connection failed: {ex.Message}");
        }
    }

    private void ThrowIfPermanent(Uri url, int status, int? errorCode, string message)
    {
        var where = Redacted(url);
        var keyProblem = errorCode switch
        {
            ApiKeyMissing => _options.Tier == CoinGeckoTier.Keyless
                ? $"no API key was sent and this endpoint needs one; set {SettingNames.CoinGeckoApiKey} (or {SettingNames.CoinGeckoApiKeyParameter} in AWS)"
                : "CoinGecko did not find the API key it expected for this host",
            ProKeyOnDemoHost => $"the API key is a Pro key but the base URL is {_options.BaseUrl.Host}; Pro keys need https://{CoinGeckoOptions.ProHost}/api/v3",
            DemoKeyOnProHost => $"the API key is a Demo key but the base URL is {_options.BaseUrl.Host}; Demo keys need {CoinGeckoOptions.DefaultBaseUrl}",
            PlanRestricted => "the API key's plan does not include this endpoint",
            _ when status == 401 => _options.Tier == CoinGeckoTier.Keyless
                ? "CoinGecko wants an API key and none was sent"
                : $"CoinGecko rejected the {_options.Tier} API key (wrong, revoked or for the other host)",
            _ when status == 403 => "CoinGecko refused access (blocked key, IP or CDN firewall rule)",
            _ => null,
        };
        if (keyProblem is not null)
        {
            throw new PipelineException(ErrorNames.CoinGeckoAuth, $"{keyProblem}. CoinGecko said (HTTP {status}{(errorCode is { } c ? $", error {c}" : "")}) for {where}: {message}");
        }

        if (status is 429 or 408 or >= 500)
        {
            return;
        }

        throw status switch
        {
            400 or 422 => new PipelineException(ErrorNames.InvalidInput, $"CoinGecko rejected {where} (HTTP {status}): {message}"),
            404 => new PipelineException(ErrorNames.Configuration, $"CoinGecko has no {where} (HTTP 404); check {SettingNames.CoinGeckoApiUrl} (the base URL ends in /api/v3): {message}"),
            _ => new PipelineException(ErrorNames.CoinGeckoBadResponse, $"CoinGecko answered {where} with HTTP {status}: {message}"),
        };
    }

    private TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    // Exponential with "equal jitter": half fixed so waits grow, half random so many runs do not retry in step.
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = _options.InitialBackoff * Math.Pow(2, Math.Min(attempt - 1, 30));
        if (ceiling > _options.MaxBackoff)
        {
            ceiling = _options.MaxBackoff;
        }

        double random;
        lock (_jitter)
        {
            random = _jitter.NextDouble();
        }

        // Whole milliseconds: what timers can wait, so the reported delay is the one waited.
        return TimeSpan.FromMilliseconds(Math.Round((ceiling / 2 + ceiling / 2 * random).TotalMilliseconds));
    }

    // The key travels in a header, never the URL; this only guards against a base URL that carries one.
    private static string Redacted(Uri url) =>
        url.Query.Contains("api_key", StringComparison.OrdinalIgnoreCase) ? url.GetLeftPart(UriPartial.Path) : url.AbsoluteUri;
}
