using System.Globalization;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.RecordedCoinGecko;

namespace CryptoEtl.Cli;

/// <summary>What the CLI composes the steps from: a data folder, a store, a CoinGecko endpoint, a warehouse.</summary>
public sealed record PipelineSettings
{
    public required string DataDir { get; init; }

    /// <summary>s3://bucket[/prefix], file:///path or a folder; null means DATA_DIR/objects.</summary>
    public string? Store { get; init; }

    public string? S3Endpoint { get; init; }

    public string? CoinGeckoUrl { get; init; }

    /// <summary>CoinGecko calls per minute; null means the key tier's default.</summary>
    public double? CallsPerMinute { get; init; }

    public bool Offline { get; init; }

    public WarehouseKind Warehouse { get; init; } = WarehouseKind.DuckDb;

    /// <summary>--load copy|pipe (CRYPTOETL_LOAD_MODE); null leaves the environment's, else copy.</summary>
    public string? Load { get; init; }

    public string ObjectsDir => Path.Combine(DataDir, "objects");

    public string DatabasePath => Path.Combine(DataDir, "warehouse.duckdb");

    /// <summary>
    /// These options as overrides over the environment: the one path every setting takes, the
    /// same parsers the Lambda functions use then read them.
    /// </summary>
    public Settings ToSettings(Func<string, string?> environment) =>
        Settings.FromEnvironment(environment)
            .Override(SettingNames.Store, Store)
            .Default(SettingNames.Store, ObjectsDir)
            .Override(SettingNames.S3Endpoint, S3Endpoint)
            .Override(SettingNames.CoinGeckoApiUrl, CoinGeckoUrl)
            .Override(SettingNames.LoadMode, Load)
            // The recorded market answers at memory speed: no reason to pace it.
            .Override(SettingNames.CoinGeckoRatePerMinute, Offline ? RecordedCoinGeckoHandler.CallsPerMinute.ToString("R", CultureInfo.InvariantCulture) : CallsPerMinute?.ToString("R", CultureInfo.InvariantCulture));
}
