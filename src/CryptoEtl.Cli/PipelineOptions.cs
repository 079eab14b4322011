using System.CommandLine;
using System.Globalization;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>
/// The options that say where a pipeline runs (data folder, store, CoinGecko, warehouse), defined once and
/// turned into <see cref="PipelineSettings"/> the same way for `run` and each step. An option that
/// gives a setting (<see cref="SettingNames"/>) is declared with <see cref="Setting{T}"/>, which is
/// all it takes for its value to win over the environment's.
/// </summary>
public sealed class PipelineOptions
{
    private const string SnowflakeWarehouseName = "snowflake";

    private readonly List<(Option Option, string Setting, Func<ParseResult, string?> Text)> _settings = [];

    public PipelineOptions()
    {
        Store = Setting<string?>("--store", SettingNames.Store,
            $"Object store: s3://bucket[/prefix], file:///path or a folder (env {SettingNames.Store}; default DATA_DIR/objects)");
        S3Endpoint = Setting<string?>("--s3-endpoint", SettingNames.S3Endpoint,
            $"An S3-compatible endpoint such as http://127.0.0.1:5000 (env {SettingNames.S3Endpoint})");
        CoinGeckoUrl = Setting<string?>("--coingecko-url", SettingNames.CoinGeckoApiUrl,
            $"CoinGecko API base URL (env {SettingNames.CoinGeckoApiUrl}; default https://api.coingecko.com/api/v3)");
        Rate = Setting<double?>("--rate", SettingNames.CoinGeckoRatePerMinute,
            $"CoinGecko calls per minute (env {SettingNames.CoinGeckoRatePerMinute}; default by key tier: keyless 10, demo 30, pro 250)",
            rate => rate?.ToString("R", CultureInfo.InvariantCulture));
        Load = Setting<string?>("--load", SettingNames.LoadMode,
            "How --warehouse snowflake loads: copy (COPY on the warehouse, the default) or pipe (confirm the "
                + $"Snowpipe load, no warehouse; {SettingNames.LoadMode}; see docs/snowflake.md)");
        Load.AcceptOnlyFromAmong("copy", "pipe");
    }

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "Local data folder: objects/ (laid out like the bucket, unless --store says otherwise) and warehouse.duckdb",
        DefaultValueFactory = _ => "data",
    };

    public Option<string?> Store { get; }

    public Option<string?> S3Endpoint { get; }

    public Option<string?> CoinGeckoUrl { get; }

    public Option<double?> Rate { get; }

    public Option<bool> Offline { get; } = new("--offline")
    {
        Description = "Replay the recorded market shipped with cryptoetl instead of calling CoinGecko",
    };

    public Option<string> Warehouse { get; } = CreateWarehouseOption();

    public Option<string?> Load { get; }

    /// <summary>Each option that gives a setting, by the setting's name (README.md's settings table names the same).</summary>
    public IReadOnlyDictionary<string, string> SettingOptions => _settings.ToDictionary(s => s.Setting, s => s.Option.Name, StringComparer.Ordinal);

    /// <summary>Adds the options; CoinGecko's only where a step fetches, the warehouse only where one loads.</summary>
    public void AddTo(Command command, bool withCoinGecko, bool withWarehouse)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(DataDir);
        command.Options.Add(Store);
        command.Options.Add(S3Endpoint);
        if (withCoinGecko)
        {
            command.Options.Add(CoinGeckoUrl);
            command.Options.Add(Rate);
            command.Options.Add(Offline);
        }

        if (withWarehouse)
        {
            command.Options.Add(Warehouse);
            command.Options.Add(Load);
        }
    }

    public PipelineSettings Read(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var warehouse = parsed.GetValue(Warehouse) == SnowflakeWarehouseName ? WarehouseKind.Snowflake : WarehouseKind.DuckDb;
        if (parsed.GetValue(Load) is { } load && warehouse != WarehouseKind.Snowflake)
        {
            // DuckDB has one way to load; taking the option silently would let a user believe Snowpipe was tried.
            throw new PipelineException(ErrorNames.Configuration, $"--load {load} is how Snowflake loads; it needs --warehouse snowflake (DuckDB, the default, always loads in one transaction)");
        }

        return new PipelineSettings
        {
            DataDir = CheckDataDir(parsed.GetValue(DataDir)!),
            // Options a command does not take read null: they leave the environment's value.
            Given = _settings.Select(s => (s.Setting, Value: s.Text(parsed))).Where(s => s.Value is not null)
                .ToDictionary(s => s.Setting, s => s.Value!, StringComparer.Ordinal),
            Offline = parsed.GetValue(Offline),
            // Commands without --warehouse read null: they never load.
            Warehouse = warehouse,
        };
    }

    /// <summary>
    /// The data folder, or a Configuration error when it (or a folder above it) is a file: the
    /// folder store and DuckDB would otherwise fail deep inside with DirectoryNotFoundException.
    /// </summary>
    public static string CheckDataDir(string dataDir)
    {
        if (string.IsNullOrWhiteSpace(dataDir))
        {
            throw new PipelineException(ErrorNames.Configuration, "--data-dir is empty: give a folder (it is created when missing), or leave the option out for ./data");
        }

        for (var path = Path.GetFullPath(dataDir); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw new PipelineException(ErrorNames.Configuration, $"--data-dir {dataDir}: {path} is a file, not a folder; give a folder (it is created when missing)");
            }

            if (Directory.Exists(path))
            {
                break;
            }
        }

        return dataDir;
    }

    private static Option<string> CreateWarehouseOption()
    {
        var option = new Option<string>("--warehouse")
        {
            Description = "Where Load writes: duckdb (DATA_DIR/warehouse.duckdb) or snowflake (SNOWFLAKE_* settings; "
                + "needs --store s3://bucket[/prefix], the bucket Snowflake's stage reads; see docs/snowflake.md)",
            DefaultValueFactory = _ => "duckdb",
        };
        option.AcceptOnlyFromAmong("duckdb", SnowflakeWarehouseName);
        return option;
    }

    private Option<T> Setting<T>(string name, string setting, string description, Func<T?, string?>? text = null)
    {
        var option = new Option<T>(name) { Description = description };
        _settings.Add((option, setting, parsed => text is null ? parsed.GetValue(option)?.ToString() : text(parsed.GetValue(option))));
        return option;
    }

    public static Option<string?> Input(string description) => new("--input") { Description = description };

    /// <summary>The --input text: as given, or stdin for "-"; null when there is none.</summary>
    public static async Task<string?> InputTextAsync(string? input, CancellationToken ct) =>
        input == "-" ? await Console.In.ReadToEndAsync(ct) : input;
}
