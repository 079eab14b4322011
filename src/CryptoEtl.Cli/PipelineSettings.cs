using System.Globalization;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.RecordedCoinGecko;

namespace CryptoEtl.Cli;

/// <summary>What the CLI composes the steps from: a data folder, the settings its options gave, a warehouse.</summary>
public sealed record PipelineSettings
{
    /// <summary>The recorded market answers at memory speed: no reason to pace it.</summary>
    private static readonly string OfflineCallsPerMinute = RecordedCoinGeckoHandler.CallsPerMinute.ToString("R", CultureInfo.InvariantCulture);

    public required string DataDir { get; init; }

    /// <summary>Settings given on the command line, by <see cref="SettingNames"/> name; they win over the environment.</summary>
    public IReadOnlyDictionary<string, string> Given { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool Offline { get; init; }

    public WarehouseKind Warehouse { get; init; } = WarehouseKind.DuckDb;

    public string ObjectsDir => Path.Combine(DataDir, "objects");

    public string DatabasePath => Path.Combine(DataDir, "warehouse.duckdb");

    /// <summary>
    /// These options as overrides over the environment: the one path every setting takes, the
    /// same parsers the Lambda functions use then read them. The store defaults to DATA_DIR/objects.
    /// </summary>
    public Settings ToSettings(Func<string, string?> environment)
    {
        var settings = Settings.FromEnvironment(environment);
        foreach (var (name, value) in Given)
        {
            settings.Override(name, value);
        }

        settings.Default(SettingNames.Store, ObjectsDir);
        return Offline ? settings.Override(SettingNames.CoinGeckoRatePerMinute, OfflineCallsPerMinute) : settings;
    }
}
