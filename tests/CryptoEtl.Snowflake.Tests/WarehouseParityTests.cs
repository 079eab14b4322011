using System.Globalization;
using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.DuckDb;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// One CSV, two warehouses, the same values. A market of awkward coins goes through Transform;
/// its CSV is loaded into DuckDB (the CLI's warehouse) and through the very COPY the Snowflake
/// adapter sends, which the fake runs over the staged file by Snowflake's documented rules
/// (<see cref="SnowflakeCopy"/>). Every value of every row must be equal: timestamps as instants,
/// amounts as the same double, ranks, text.
/// </summary>
public sealed class WarehouseParityTests : IAsyncLifetime
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Issuer = $"XY12345.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}";
    private readonly TempDirectory _dir = new();
    private readonly SteppingTimeProvider _time = new(FetchTime.AddMinutes(3));
    private readonly HttpClient _http = new();
    private FileSystemObjectStore _store = null!;
    private FakeSnowflake _snowflake = null!;

    public async Task InitializeAsync()
    {
        _store = new FileSystemObjectStore(_dir.Combine("objects"));
        // The stage sits on the bucket's processed/ prefix (docs/snowflake.md).
        _snowflake = await FakeSnowflake.StartAsync(Issuer, "XY12345.CRYPTO_ETL_LOADER_USER", _time,
            stage: path => File.Exists(_store.LocalPathOf(ObjectKeys.ProcessedPrefix + path)) ? File.ReadAllBytes(_store.LocalPathOf(ObjectKeys.ProcessedPrefix + path)!) : null);
    }

    public async Task DisposeAsync()
    {
        await _snowflake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    /// <summary>A coin as /coins/markets writes it, with these properties replaced (raw JSON values).</summary>
    private static string Coin(string id, int rank, params (string Name, string Json)[] overrides)
    {
        var properties = new List<(string Name, string Json)>
        {
            ("id", $"\"{id}\""), ("symbol", "\"sym\""), ("name", $"\"{id}\""), ("current_price", "1.5"), ("market_cap", "1000"),
            ("market_cap_rank", rank.ToString(CultureInfo.InvariantCulture)), ("fully_diluted_valuation", "2000"), ("total_volume", "100"),
            ("high_24h", "1.6"), ("low_24h", "1.4"), ("price_change_24h", "-0.01"), ("price_change_percentage_24h", "-0.66"),
            ("market_cap_change_24h", "-10.5"), ("market_cap_change_percentage_24h", "-1.04"), ("circulating_supply", "666.0"),
            ("total_supply", "1000.0"), ("max_supply", "null"), ("ath", "3"), ("ath_change_percentage", "-50.0"),
            ("ath_date", "\"2024-12-17T15:02:41.429Z\""), ("atl", "0.1"), ("atl_change_percentage", "1400.0"),
            ("atl_date", "\"2013-07-06T00:00:00.000Z\""), ("roi", "null"), ("last_updated", "\"2026-11-25T11:59:31.946Z\""),
        };
        foreach (var (name, json) in overrides)
        {
            properties[properties.FindIndex(p => p.Name == name)] = (name, json);
        }

        return "{" + string.Join(',', properties.Select(p => $"\"{p.Name}\":{p.Json}")) + "}";
    }

    // The awkward values real sweeps hold (tests/data/coingecko/SOURCES.md, madjin/daily-crypto's prices.json).
    private static readonly string[] AwkwardCoins =
    [
        // huobi-token's atl_date as CoinGecko sent it in 2023.
        Coin("huobi-token", 1, ("atl_date", "\"2023-03-10T05:05:00+08:00\""), ("market_cap", "4.2e+17")),
        Coin("no-fraction", 2, ("ath_date", "\"2021-11-10T14:24:11Z\""), ("last_updated", "\"2026-11-25T11:59:31.9461Z\"")),
        Coin("bare-date", 3, ("atl_date", "\"2015-10-20\""), ("ath_date", "\"2021-11-10T14:24:11.8+00:00\"")),
        Coin("negative-offset", 4, ("ath_date", "\"2024-02-29T23:30:00-01:00\"")),
        Coin("unreadable", 5, ("ath_date", "\"yesterday\"")),
        Coin("baby-doge-coin", 6, ("current_price", "3.711857321470539e-09"), ("total_supply", "4.2e+17"), ("atl", "1e-10")),
        Coin("seventeen-digits", 7, ("current_price", "0.12345678901234568"), ("market_cap", "12345678901234567"), ("total_volume", "9007199254740993")),
        Coin("ints-as-floats", 8, ("market_cap", "1000.0"), ("total_supply", "1.0e+15"), ("circulating_supply", "8.69e-05")),
        Coin("floats-as-ints", 9, ("current_price", "2"), ("high_24h", "3"), ("low_24h", "1"), ("ath", "100")),
        Coin("zero-width", 10, ("name", "\"\\u200b\\u200bStable\""), ("symbol", "\"\\ufeffstbl\"")),
        Coin("cjk", 11, ("name", "\"比特币 \\\"金\\\", 元\""), ("symbol", "\"币\"")),
        Coin("null-rank", 12, ("market_cap_rank", "null"), ("market_cap", "0.0"), ("roi", """{"times":1.5e2,"currency":"usd","percentage":15000}""")),
    ];

    [Fact]
    public async Task DuckDB_and_Snowflakes_copy_load_the_same_values_from_one_csv()
    {
        var csvKey = await TransformAsync(AwkwardCoins);
        var rows = AwkwardCoins.Length;

        var duckDb = await LoadDuckDbAsync(csvKey, rows);
        var snowflake = await LoadSnowflakeAsync(csvKey, rows);

        Assert.Empty(_snowflake.Problems);
        Assert.Equal(rows, duckDb.Count);
        AssertSame(duckDb, snowflake);
        var id = CryptoSchema.IndexOf("id");

        // The values themselves, computed independently of both.
        var huobi = duckDb.Single(r => (string)r[id]! == "huobi-token");
        Assert.Equal(Micros(new DateTimeOffset(2023, 3, 9, 21, 5, 0, TimeSpan.Zero)), huobi[CryptoSchema.IndexOf("atl_date")]);
        var bareDate = duckDb.Single(r => (string)r[id]! == "bare-date");
        Assert.Equal(Micros(new DateTimeOffset(2015, 10, 20, 0, 0, 0, TimeSpan.Zero)), bareDate[CryptoSchema.IndexOf("atl_date")]);
        Assert.Null(duckDb.Single(r => (string)r[id]! == "unreadable")[CryptoSchema.IndexOf("ath_date")]);
        Assert.Equal("Stable", duckDb.Single(r => (string)r[id]! == "zero-width")[CryptoSchema.IndexOf("name")]);
        Assert.Equal("比特币 \"金\", 元", duckDb.Single(r => (string)r[id]! == "cjk")[CryptoSchema.IndexOf("name")]);
        Assert.Null(duckDb.Single(r => (string)r[id]! == "null-rank")[CryptoSchema.IndexOf("market_cap_rank")]);
        Assert.Equal(3.711857321470539e-09, duckDb.Single(r => (string)r[id]! == "baby-doge-coin")[CryptoSchema.IndexOf("current_price")]);
        Assert.Equal(9007199254740992d, duckDb.Single(r => (string)r[id]! == "seventeen-digits")[CryptoSchema.IndexOf("total_volume")]);
    }

    /// <summary>Snowpipe's COPY (SnowpipeSql, infra/snowflake/09_snowpipe.sql) reads the same CSV to the same values.</summary>
    [Fact]
    public async Task The_pipes_copy_loads_the_same_values_as_duckdb()
    {
        var csvKey = await TransformAsync(AwkwardCoins);
        var duckDb = await LoadDuckDbAsync(csvKey, AwkwardCoins.Length);
        var options = TestKeys.Options(_snowflake.BaseAddress);

        var pipe = SnowflakeCopy.Evaluate(SnowpipeSql.Copy(options.QualifiedTable, options.QualifiedStage, options.QualifiedFileFormat),
            File.ReadAllBytes(_store.LocalPathOf(csvKey)!), FakeSnowflake.FileFormat.Value, csvKey[ObjectKeys.ProcessedPrefix.Length..]);

        AssertSame(duckDb, pipe);
    }

    [Fact]
    public async Task A_csv_carrying_coingeckos_offset_form_verbatim_fails_snowflakes_copy_and_loads_nothing()
    {
        // The CSV as Transform wrote it before it canonicalized timestamps: huobi-token's atl_date as sent.
        var csvKey = await TransformAsync(AwkwardCoins[0]);
        var path = _store.LocalPathOf(csvKey)!;
        File.WriteAllText(path, File.ReadAllText(path).Replace("2023-03-09T21:05:00.000Z", "2023-03-10T05:05:00+08:00", StringComparison.Ordinal));

        var error = await Assert.ThrowsAnyAsync<PipelineException>(() => LoadSnowflakeAsync(csvKey, 1));

        Assert.Contains("Timestamp '2023-03-10T05:05:00+08:00' is not recognized", error.Message, StringComparison.Ordinal);
        Assert.Empty(_snowflake.Copied);
    }

    private async Task<string> TransformAsync(params string[] coins)
    {
        var raw = RawSnapshots.Build(FetchTime, [Encoding.UTF8.GetBytes("[" + string.Join(',', coins) + "]")], File.ReadAllBytes(TestData.CoinGecko(TestData.Global)));
        var rawKey = ObjectKeys.Raw(FetchTime);
        await _store.PutBytesAsync(rawKey, ContentTypes.Json, raw, CancellationToken.None);
        var output = await new TransformStep(_store).RunAsync(new TransformInput { RawKey = rawKey }, CancellationToken.None);
        Assert.Equal(coins.Length, output.Rows);
        return output.CsvKey;
    }

    private async Task<IReadOnlyList<object?[]>> LoadDuckDbAsync(string csvKey, int rows)
    {
        var database = _dir.Combine("warehouse.duckdb");
        await new DuckDbWarehouse(database).LoadSnapshotAsync(new SnapshotCsv(csvKey, FetchTime, rows, _store.LocalPathOf(csvKey)), CancellationToken.None);
        var select = string.Join(", ", CryptoSchema.Columns.Select(c => c.Type == ColumnType.Timestamp ? $"epoch_us({c.Name})" : c.Name));
        return (await DuckDbQuery.RunAsync(database, $"SELECT {select} FROM {CryptoSchema.TableName}", CancellationToken.None)).Rows;
    }

    private async Task<IReadOnlyList<object?[]>> LoadSnowflakeAsync(string csvKey, int rows)
    {
        _snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone());
        _snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(rows, 0, rows));
        var warehouse = new SnowflakeWarehouse(_http, TestKeys.Options(_snowflake.BaseAddress, 1), _time);
        await warehouse.LoadSnapshotAsync(new SnapshotCsv(csvKey, FetchTime, rows), CancellationToken.None);
        return Assert.Single(_snowflake.Copied);
    }

    /// <summary>Every schema column of every row equal (Snowflake's rows may carry more columns after them).</summary>
    private static void AssertSame(IReadOnlyList<object?[]> duckDb, IReadOnlyList<object?[]> snowflake)
    {
        Assert.Equal(duckDb.Count, snowflake.Count);
        var id = CryptoSchema.IndexOf("id");
        foreach (var duckRow in duckDb)
        {
            var snowRow = snowflake.Single(r => (string)r[id]! == (string)duckRow[id]!);
            for (var c = 0; c < CryptoSchema.Columns.Count; c++)
            {
                Assert.True(Same(CryptoSchema.Columns[c].Type, duckRow[c], snowRow[c]),
                    $"{duckRow[id]}.{CryptoSchema.Columns[c].Name}: DuckDB {Show(duckRow[c])}, Snowflake {Show(snowRow[c])}");
            }
        }
    }

    private static bool Same(ColumnType type, object? duckDb, object? snowflake) => (type, duckDb, snowflake) switch
    {
        (_, null, null) => true,
        (ColumnType.Timestamp, long micros, DateTimeOffset instant) => micros == Micros(instant),
        (ColumnType.Number, double a, double b) => a.Equals(b),
        (ColumnType.WholeNumber, long a, decimal b) => a == b,
        (ColumnType.Text, string a, string b) => a == b,
        _ => false,
    };

    private static long Micros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static string Show(object? value) => value is null ? "NULL" : $"{value} ({value.GetType().Name})";
}
