using CryptoEtl.Aws;
using CryptoEtl.CoinGecko;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.Core.Steps;
using CryptoEtl.Snowflake;

namespace CryptoEtl.Composition;

/// <summary>
/// Builds the pipeline's parts from <see cref="Composition.Settings"/>: the store, the CoinGecko
/// client, the three steps and the Snowflake warehouse. The Lambda functions and the CLI both
/// compose here, so a setting, a handler or a check changes in one place for every host.
/// Disposing it disposes the HTTP clients it made.
/// </summary>
public sealed class PipelineComposition : IDisposable
{
    private readonly List<HttpClient> _httpClients = [];
    private LoadMode? _loadMode;

    public PipelineComposition(Settings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Time = time ?? TimeProvider.System;
        Store = ObjectStores.FromSettings(settings.Get);
    }

    public Settings Settings { get; }

    public TimeProvider Time { get; }

    public IObjectStore Store { get; }

    /// <summary>
    /// Lambda's secrets: the value of the SSM SecureString parameter whose name the setting
    /// <paramref name="parameterSetting"/> holds; null when it is unset and not <paramref name="required"/>.
    /// </summary>
    public Task<string?> SecretParameterAsync(string parameterSetting, bool required, CancellationToken ct) =>
        SsmParameterReader.ReadSettingAsync(Settings.Get, parameterSetting, required, ct);

    /// <summary>CoinGecko's URL, pacing and key tier from the settings; the key comes from the host (SSM in Lambda, the environment in the CLI).</summary>
    public CoinGeckoOptions CoinGeckoOptions(string? apiKey) => CoinGecko.CoinGeckoOptions.FromSettings(Settings.Get, apiKey);

    /// <param name="options">From <see cref="CoinGeckoOptions(string?)"/>.</param>
    /// <param name="handler">The HTTP handler; null is the production one (gzip/brotli, connect timeout), the same in every host.</param>
    /// <param name="progress">Hears the step's progress through the pages (the Lambda log, the CLI's progress line).</param>
    /// <param name="source">Hears CoinGecko's retries and waits (the same hosts).</param>
    public ExtractStep Extract(CoinGeckoOptions options, HttpMessageHandler? handler = null, IExtractObserver? progress = null, IMarketSourceObserver? source = null)
    {
        var http = Http(handler ?? CoinGeckoClient.CreateDefaultHandler());
        return new ExtractStep(new CoinGeckoClient(http, options, Time, source), Store, Time, progress);
    }

    public TransformStep Transform() => new(Store);

    public LoadStep Load(IWarehouse warehouse) => new(Store, warehouse, Time);

    /// <summary>Snowflake with the PEM key the host read (Lambda: an SSM SecureString); <paramref name="observer"/> hears its retries (the Lambda log).</summary>
    public SnowflakeWarehouse Snowflake(string privateKeyPem, IRetryObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        return Snowflake(() => SnowflakeOptions.FromSettings(Settings.Get, privateKeyPem), observer);
    }

    /// <summary>Snowflake with the key file SNOWFLAKE_PRIVATE_KEY_PATH names (the CLI); <paramref name="observer"/> hears its retries (the CLI's output).</summary>
    public SnowflakeWarehouse SnowflakeWithKeyFile(IRetryObserver? observer = null) =>
        Snowflake(() => SnowflakeOptions.FromSettingsWithKeyFile(Settings.Get), observer);

    /// <summary>CRYPTOETL_LOAD_MODE: copy (unset) or pipe; anything else is a Configuration error, on first use.</summary>
    public LoadMode LoadMode => _loadMode ??= LoadModeSetting.Parse(Settings.Get(SettingNames.LoadMode));

    /// <summary>
    /// The warehouse Load writes through, by <see cref="LoadMode"/>: the COPY warehouse itself, or,
    /// in pipe mode, Snowpipe's confirmation on the same account, user and key (no warehouse resumed).
    /// </summary>
    public IWarehouse LoadTarget(SnowflakeWarehouse snowflake)
    {
        ArgumentNullException.ThrowIfNull(snowflake);
        return LoadMode == LoadMode.Pipe ? new SnowpipeWarehouse(Http(null), snowflake.Options, Store, Time) : snowflake;
    }

    public void Dispose()
    {
        foreach (var http in _httpClients)
        {
            http.Dispose();
        }

        _httpClients.Clear();
    }

    /// <summary>
    /// COPY reads the CSV from Snowflake's external stage on the bucket's processed/ prefix, never
    /// from this machine: a store Snowflake cannot see would load nothing, so refuse it up front.
    /// </summary>
    private SnowflakeWarehouse Snowflake(Func<SnowflakeOptions> options, IRetryObserver? observer)
    {
        if (!Store.CloudServicesCanRead)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"--warehouse snowflake loads from Snowflake's external stage on the bucket's processed/ prefix, so it needs "
                + $"--store s3://bucket[/prefix] (or {SettingNames.Store}) naming the bucket that stage reads; the store is {Store.Location}");
        }

        return new SnowflakeWarehouse(Http(null), options(), Time, observer);
    }

    private HttpClient Http(HttpMessageHandler? handler)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        _httpClients.Add(http);
        return http;
    }
}
