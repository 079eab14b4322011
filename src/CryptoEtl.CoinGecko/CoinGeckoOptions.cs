using System.Globalization;
using CryptoEtl.Core;

namespace CryptoEtl.CoinGecko;

/// <summary>Which CoinGecko plan a client speaks to; it decides the key header and the default pace.</summary>
public enum CoinGeckoTier
{
    /// <summary>No key: api.coingecko.com, rate limited per IP and shared with everyone behind it.</summary>
    Keyless,

    /// <summary>A Demo key on api.coingecko.com, sent as x-cg-demo-api-key.</summary>
    Demo,

    /// <summary>A paid key on pro-api.coingecko.com, sent as x-cg-pro-api-key.</summary>
    Pro,
}

/// <summary>
/// How to reach CoinGecko and how hard to push it. A class, not a record, so the key never shows
/// up in a generated ToString.
/// </summary>
public sealed class CoinGeckoOptions
{
    public const string ProHost = "pro-api.coingecko.com";
    public const string DemoKeyHeader = "x-cg-demo-api-key";
    public const string ProKeyHeader = "x-cg-pro-api-key";

    // Calls per minute per tier. CoinGecko documents Demo as 30/min on its pricing page and 100/min
    // on its errors page; we take the lower so a sweep never trips 429 in steady state. Keyless is
    // documented only as "IP-based, shared"; 10/min is the middle of the 5-15 it has quoted. Pro
    // starts at 250/min (Basic, the smallest paid plan). Raise them with CallsPerMinute.
    public const double KeylessCallsPerMinute = 10;
    public const double DemoCallsPerMinute = 30;
    public const double ProCallsPerMinute = 250;

    // The pace a person may set: below 1 a minute a sweep takes days (and 1e-300 overflows a
    // TimeSpan); above 100,000 the pacer is off (offline replays run at RecordedCoinGeckoHandler.CallsPerMinute).
    public const double MinCallsPerMinute = 1;
    public const double MaxCallsPerMinute = 100_000;

    public static Uri DefaultBaseUrl { get; } = new("https://api.coingecko.com/api/v3");

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>A Demo or Pro key; the host decides which header carries it.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The pace; null means the tier's default.</summary>
    public double? CallsPerMinute { get; init; }

    /// <summary>Retries per request after the first try (429, 5xx, timeouts, dropped connections).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first backoff; it doubles per retry up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A Retry-After longer than this fails the request at once; the state machine retries later.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Per attempt, headers and body together; measured on the injected TimeProvider.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seeds the backoff jitter (tests); null uses a shared random source.</summary>
    public int? JitterSeed { get; init; }

    public string UserAgent { get; init; } = "CryptoEtl/1.0 (+https://www.coingecko.com/en/api)";

    /// <summary>
    /// Attempts of one request that may time out before it gives up: a server that accepted and
    /// did not answer within <see cref="RequestTimeout"/> twice is not worth another 30 s.
    /// </summary>
    public int MaxTimeoutsPerRequest { get; init; } = 2;

    /// <summary>
    /// The most one answer may be after decompression: a page of 250 coins is ~0.3 MB, so 8 MB is
    /// far above any real page and far below a gzip bomb.
    /// </summary>
    public long MaxAnswerBytes { get; init; } = 8L * 1024 * 1024;

    public CoinGeckoTier Tier =>
        string.IsNullOrEmpty(ApiKey) ? CoinGeckoTier.Keyless
        : string.Equals(BaseUrl.Host, ProHost, StringComparison.OrdinalIgnoreCase) ? CoinGeckoTier.Pro
        : CoinGeckoTier.Demo;

    /// <summary>The tier in the words logs and the CLI use: keyless, demo or pro.</summary>
    public string TierName => Tier.ToString().ToLowerInvariant();

    public double EffectiveCallsPerMinute => CallsPerMinute ?? Tier switch
    {
        CoinGeckoTier.Pro => ProCallsPerMinute,
        CoinGeckoTier.Demo => DemoCallsPerMinute,
        _ => KeylessCallsPerMinute,
    };

    /// <summary>
    /// Options from <see cref="SettingNames.CoinGeckoApiUrl"/> and <see cref="SettingNames.CoinGeckoRatePerMinute"/>;
    /// the key comes separately (the CLI reads it from the environment, Lambda from SSM).
    /// </summary>
    public static CoinGeckoOptions FromSettings(Func<string, string?> setting, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var url = setting(SettingNames.CoinGeckoApiUrl);
        var rate = setting(SettingNames.CoinGeckoRatePerMinute);
        Uri baseUrl = DefaultBaseUrl;
        // Set but blank is a mistake (`--coingecko-url ''`), not a wish for the public API.
        if (url is not null
            && (!Uri.TryCreate(url, UriKind.Absolute, out baseUrl!) || baseUrl.Scheme is not ("http" or "https")))
        {
            throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.CoinGeckoApiUrl} must be an http(s) URL, got \"{url}\"");
        }

        double? callsPerMinute = null;
        if (!string.IsNullOrWhiteSpace(rate))
        {
            if (!double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed > 0))
            {
                throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.CoinGeckoRatePerMinute} must be a positive number, got \"{rate}\"");
            }

            ThrowIfRateOutOfRange(parsed);
            callsPerMinute = parsed;
        }

        return new CoinGeckoOptions
        {
            BaseUrl = baseUrl,
            ApiKey = string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim(),
            CallsPerMinute = callsPerMinute,
        };
    }

    /// <summary>A Configuration error unless the pace is within <see cref="MinCallsPerMinute"/>..<see cref="MaxCallsPerMinute"/>.</summary>
    public static void ThrowIfRateOutOfRange(double callsPerMinute)
    {
        if (!(callsPerMinute >= MinCallsPerMinute && callsPerMinute <= MaxCallsPerMinute))
        {
            throw new PipelineException(ErrorNames.Configuration, string.Create(CultureInfo.InvariantCulture,
                $"the CoinGecko pace ({SettingNames.CoinGeckoRatePerMinute}, --rate) must be {MinCallsPerMinute:0} to {MaxCallsPerMinute:0} calls per minute, got {callsPerMinute:R}"));
        }
    }
}
