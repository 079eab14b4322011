using System.CommandLine;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>
/// The options that say where a pipeline runs (data folder, store, CoinGecko, warehouse), defined once and
/// turned into <see cref="PipelineSettings"/> the same way for `run` and each step.
/// </summary>
public sealed class PipelineOptions
{
    private const string SnowflakeWarehouseName = "snowflake";

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "Local data folder: objects/ (laid out like the bucket, unless --store says otherwise) and warehouse.duckdb",
        DefaultValueFactory = _ => "data",
    };

    public Option<string?> Store { get; } = new("--store")
    {
        Description = $"Object store: s3://bucket[/prefix], file:///path or a folder (env {SettingNames.Store}; default DATA_DIR/objects)",
    };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint")
    {
        Description = $"An S3-compatible endpoint such as http://127.0.0.1:5000 (env {SettingNames.S3Endpoint})",
    };

    public Option<string?> CoinGeckoUrl { get; } = new("--coingecko-url")
    {
        Description = $"CoinGecko API base URL (env {SettingNames.CoinGeckoApiUrl}; default https://api.coingecko.com/api/v3)",
    };

    public Option<double?> Rate { get; } = new("--rate")
    {
        Description = $"CoinGecko calls per minute (env {SettingNames.CoinGeckoRatePerMinute}; default by key tier: keyless 10, demo 30, pro 250)",
    };

    public Option<bool> Offline { get; } = new("--offline")
    {
        Description = "Replay the recorded market shipped with cryptoetl instead of calling CoinGecko",
    };

    public Option<string> Warehouse { get; } = CreateWarehouseOption();

    public Option<string?> Load { get; } = CreateLoadOption();

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
            Store = parsed.GetValue(Store),
            S3Endpoint = parsed.GetValue(S3Endpoint),
            CoinGeckoUrl = parsed.GetValue(CoinGeckoUrl),
            CallsPerMinute = parsed.GetValue(Rate),
            Offline = parsed.GetValue(Offline),
            // Commands without --warehouse read null: they never load.
            Warehouse = warehouse,
            Load = parsed.GetValue(Load),
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

    private static Option<string?> CreateLoadOption()
    {
        var option = new Option<string?>("--load")
        {
            Description = "How --warehouse snowflake loads: copy (COPY on the warehouse, the default) or pipe (confirm the "
                + "Snowpipe load, no warehouse; CRYPTOETL_LOAD_MODE; see docs/snowflake.md)",
        };
        option.AcceptOnlyFromAmong("copy", "pipe");
        return option;
    }

    public static Option<string?> Input(string description) => new("--input") { Description = description };

    /// <summary>The --input text: as given, or stdin for "-"; null when there is none.</summary>
    public static async Task<string?> InputTextAsync(string? input, CancellationToken ct) =>
        input == "-" ? await Console.In.ReadToEndAsync(ct) : input;
}
