using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;

namespace CryptoEtl.CoinGecko;

/// <summary>
/// Reads CoinGecko's /coins/markets and /global and returns their bytes verbatim (checked, never
/// re-serialized). Paces calls to the tier's rate in any trailing minute (<see cref="TrailingWindowPacer"/>), retries 429, 5xx, timeouts and dropped
/// connections through the shared <see cref="RetryPolicy{T}"/> (backoff with jitter, honouring
/// Retry-After), tells its <see cref="IMarketSourceObserver"/> each retry and wait, and turns everything else into a
/// <see cref="PipelineException"/> whose message names the URL and CoinGecko's own words.
/// Calls are sequential: one client serves one run.
/// </summary>
public sealed class CoinGeckoClient : ICoinMarketSource
{
    // CoinGecko's codes for key problems (docs: "Errors & Rate Limits"); 10005 is a plan restriction.
    private const int ApiKeyMissing = 10002;
    private const int PlanRestricted = 10005;
    private const int ProKeyOnDemoHost = 10010;
    private const int DemoKeyOnProHost = 10011;

    private readonly HttpClient _http;
    private readonly CoinGeckoOptions _options;
    private readonly TimeProvider _time;
    private readonly IMarketSourceObserver? _observer;
    private readonly RetryPolicy<Outcome> _retry;
    private readonly TrailingWindowPacer _pacer;
    private readonly string _baseUrl;

    public CoinGeckoClient(HttpClient http, CoinGeckoOptions options, TimeProvider time, IMarketSourceObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        // Below one call a minute a sweep takes days.
        if (!(options.EffectiveCallsPerMinute >= CoinGeckoOptions.MinCallsPerMinute) || options.MaxRetries < 0 || options.MaxAnswerBytes < 1)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"CoinGecko calls per minute must be at least {CoinGeckoOptions.MinCallsPerMinute:0}, retries not negative and the answer limit positive");
        }

        _http = http;
        _options = options;
        _time = time;
        _observer = observer;
        _retry = new RetryPolicy<Outcome>(
            new RetrySettings
            {
                MaxRetries = options.MaxRetries,
                InitialBackoff = options.InitialBackoff,
                MaxBackoff = options.MaxBackoff,
                MaxRetryAfter = options.MaxRetryAfter,
                JitterSeed = options.JitterSeed,
            },
            time,
            observer);
        _pacer = new TrailingWindowPacer(options.EffectiveCallsPerMinute, time);
        _baseUrl = options.BaseUrl.AbsoluteUri.TrimEnd('/');
    }

    public CoinGeckoOptions Options => _options;

    /// <summary>The time from now until the pacer lets the next call go (zero when it may go now).</summary>
    public TimeSpan TimeUntilNextCall => _pacer.TimeUntilNextCall;

    /// <summary>
    /// A handler for production: pooled connections, gzip/brotli (a full sweep shrinks ~6x on the
    /// wire), and no automatic redirects: the client follows a redirect itself only on the
    /// configured host, so the API key never travels to another one.
    /// </summary>
    public static HttpMessageHandler CreateDefaultHandler() => new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public Uri GlobalUrl => new($"{_baseUrl}/global");

    public Uri MarketsUrl(string vsCurrency, int perPage, int page)
    {
        ArgumentNullException.ThrowIfNull(vsCurrency);
        if (perPage is < 1 or > ICoinMarketSource.MaxPerPage || page < 1)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"per_page must be 1..{ICoinMarketSource.MaxPerPage} and page at least 1, got per_page={perPage}, page={page}");
        }

        return new Uri(string.Create(CultureInfo.InvariantCulture,
            $"{_baseUrl}/coins/markets?vs_currency={Uri.EscapeDataString(vsCurrency)}&order=market_cap_desc&per_page={perPage}&page={page}&price_change_percentage=24h"));
    }

    public async Task<MarketsPage> GetMarketsPageAsync(string vsCurrency, int perPage, int page, CancellationToken cancellationToken)
    {
        var url = MarketsUrl(vsCurrency, perPage, page);
        var ids = new List<string?>(perPage);
        var (json, source) = await GetAsync(url, body =>
        {
            ids.Clear();
            return CoinGeckoJson.CheckMarketsPage(body, ids);
        }, cancellationToken);
        return new MarketsPage(page, source, json, ids);
    }

    public async Task<GlobalResponse> GetGlobalAsync(CancellationToken cancellationToken)
    {
        var (json, source) = await GetAsync(GlobalUrl, body => CoinGeckoJson.CheckGlobal(body), cancellationToken);
        return new GlobalResponse(source, json, CoinGeckoJson.ReadActiveCoins(json));
    }

    private delegate string? BodyCheck(ReadOnlySpan<byte> body);

    /// <summary>One GET through the retry policy; returns the checked body and the URL that answered.</summary>
    private async Task<(byte[] Body, Uri Source)> GetAsync(Uri url, BodyCheck check, CancellationToken cancellationToken)
    {
        var where = Redacted(url);
        var badBodies = 0;
        var timeouts = 0;
        var result = await _retry.ExecuteAsync(
            where,
            ct => AttemptAsync(url, where, check, ct),
            outcome => outcome switch
            {
                { Status: not null, Problem: null } => AttemptVerdict.Done,
                // A cut or garbled 200 is usually a proxy hiccup: one more try, then it is CoinGecko's bug.
                { Status: { } ok } when (int)ok is >= 200 and < 300 => ++badBodies > 1
                    ? AttemptVerdict.Done
                    : AttemptVerdict.TryAgain($"HTTP {(int)ok} with a bad body: {outcome.Problem}"),
                { Status: not null } => AttemptVerdict.TryAgain(outcome.Problem!, outcome.RetryAfter),
                { TimedOut: true } when ++timeouts >= _options.MaxTimeoutsPerRequest => AttemptVerdict.Done,
                _ => AttemptVerdict.TryAgain(outcome.Problem!),
            },
            cancellationToken);

        var last = result.Value;
        if (last is { Problem: null, Status: { } code } && (int)code is >= 200 and < 300)
        {
            return (last.Body, last.Source);
        }

        throw Failure(where, result, timeouts);
    }

    /// <summary>One attempt: a call slot, the request, the pacer told the answer, the body checked or a permanent error thrown.</summary>
    private async ValueTask<Outcome> AttemptAsync(Uri url, string where, BodyCheck check, CancellationToken cancellationToken)
    {
        await WaitForCallSlotAsync(where, cancellationToken);
        var outcome = await SendAsync(url, cancellationToken);
        if (outcome.Status == HttpStatusCode.TooManyRequests)
        {
            _pacer.OnRateLimited();
        }
        else if (outcome.Status is not null)
        {
            _pacer.OnAnswered();
        }

        if (outcome.Status is { } status && (int)status is >= 200 and < 300)
        {
            return outcome with { Problem = outcome.Problem ?? check(outcome.Body) };
        }

        if (outcome.Status is { } failed)
        {
            var (errorCode, message) = CoinGeckoJson.ReadError(outcome.Body);
            ThrowIfPermanent(url, (int)failed, errorCode, message);
            return outcome with { Problem = $"HTTP {(int)failed}: {message}" };
        }

        return outcome;
    }

    /// <summary>The error for a request the retries gave up on: a bad 2xx body twice, a rate limit, or CoinGecko unavailable.</summary>
    private PipelineException Failure(string where, RetryResult<Outcome> result, int timeouts)
    {
        var last = result.Value;
        if (last.Status is { } code && (int)code is >= 200 and < 300)
        {
            return new PipelineException(ErrorNames.CoinGeckoBadResponse, $"CoinGecko answered {where} with HTTP {(int)code} and a body that is not what was asked for, twice: {last.Problem}");
        }

        var errorName = last.Status == HttpStatusCode.TooManyRequests ? ErrorNames.CoinGeckoRateLimited : ErrorNames.CoinGeckoUnavailable;
        return result.Stop switch
        {
            RetryStop.RetryAfterTooLong => new PipelineException(errorName,
                $"CoinGecko asked to wait {last.RetryAfter!.Value.TotalSeconds:0} s before retrying {where} (more than the {_options.MaxRetryAfter.TotalSeconds:0} s allowed); last: {last.Problem}"),
            RetryStop.Done when last.TimedOut => new PipelineException(errorName,
                $"CoinGecko: no answer from {where} within {_options.RequestTimeout.TotalSeconds:0.#} s, {timeouts} times; gave up after {result.Attempts} attempts; last: {last.Problem}"),
            _ => new PipelineException(errorName, $"CoinGecko: gave up on {where} after {result.Attempts} attempts; last: {last.Problem}"),
        };
    }

    /// <summary>Waits until the trailing window has room: every attempt, retries included, is a call CoinGecko counts.</summary>
    private async Task WaitForCallSlotAsync(string target, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        while ((wait = _pacer.TimeUntilNextCall) > TimeSpan.Zero)
        {
            _observer?.OnWaiting(new WaitNotice(WaitKind.RateLimit, target, wait));
            await Task.Delay(wait, _time, cancellationToken);
        }

        _pacer.OnCall();
    }

    /// <summary>
    /// One attempt's result: a status with its body (and the problem with it, once judged), or a
    /// transport failure; <see cref="Source"/> is the URL that answered.
    /// </summary>
    private sealed record Outcome(HttpStatusCode? Status, byte[] Body, TimeSpan? RetryAfter, string? Problem, Uri Source, bool TimedOut = false);

    private const int MaxRedirects = 5;

    private async Task<Outcome> SendAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        _observer?.OnWaiting(new WaitNotice(WaitKind.Answer, Redacted(url), _options.RequestTimeout));
        var current = url;
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = NewRequest(current);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                // An HttpClient that follows redirects by itself has already sent the key there; refuse its data at least.
                var answered = response.RequestMessage?.RequestUri ?? current;
                ThrowIfOtherHost(url, answered, "the HttpClient followed a redirect");
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(answered, location);
                    ThrowIfOtherHost(url, next, $"CoinGecko redirected (HTTP {(int)response.StatusCode})");
                    if (hop >= MaxRedirects)
                    {
                        throw new PipelineException(ErrorNames.CoinGeckoBadResponse, $"CoinGecko redirected {Redacted(url)} more than {MaxRedirects} times");
                    }

                    current = next;
                    continue;
                }

                var (body, problem) = await ReadBodyAsync(response, url, linked.Token);
                return new Outcome(response.StatusCode, body, RetryAfter.Of(response.Headers.RetryAfter, _time.GetUtcNow()), problem, answered);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout, or a shorter HttpClient.Timeout set by whoever built the HttpClient.
            var limit = timeout.IsCancellationRequested ? _options.RequestTimeout : _http.Timeout;
            return new Outcome(null, [], null, $"no complete answer within {limit.TotalSeconds:0.#} s", current, TimedOut: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, [], null, $"connection failed: {ex.Message}", current);
        }
    }

    private HttpRequestMessage NewRequest(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.TryAddWithoutValidation(
                _options.Tier == CoinGeckoTier.Pro ? CoinGeckoOptions.ProKeyHeader : CoinGeckoOptions.DemoKeyHeader, _options.ApiKey);
        }

        return request;
    }

    /// <summary>
    /// The body, decompressed, up to <see cref="CoinGeckoOptions.MaxAnswerBytes"/>: more is refused
    /// at once (a gzip bomb would take the process's memory); a corrupt gzip/brotli stream is a bad body.
    /// </summary>
    private async Task<(byte[] Body, string? Problem)> ReadBodyAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        var limit = _options.MaxAnswerBytes;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > limit)
                {
                    throw new PipelineException(ErrorNames.CoinGeckoBadResponse,
                        $"CoinGecko's answer to {Redacted(url)} is larger than {limit / (1024 * 1024.0):0.#} MB decompressed (the limit per answer); refused");
                }

                body.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            return ([], $"the body could not be decompressed (corrupt gzip/brotli): {ex.Message}");
        }

        return (body.ToArray(), null);
    }

    /// <summary>The key goes only to the configured scheme, host and port; anything else is refused before a request goes there.</summary>
    private void ThrowIfOtherHost(Uri requested, Uri target, string what)
    {
        if (Uri.Compare(target, _options.BaseUrl, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"{what} from {Redacted(requested)} to another host, {target.GetLeftPart(UriPartial.Authority)}; not followed, so neither the API key nor "
                + $"the data leave {_options.BaseUrl.GetLeftPart(UriPartial.Authority)}. Set {SettingNames.CoinGeckoApiUrl} to the host that serves the API");
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

    // The key travels in a header, never the URL; this only guards against a base URL that carries one.
    private static string Redacted(Uri url) =>
        url.Query.Contains("api_key", StringComparison.OrdinalIgnoreCase) ? url.GetLeftPart(UriPartial.Path) : url.AbsoluteUri;
}
