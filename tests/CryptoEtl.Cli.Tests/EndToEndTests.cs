using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.FileSystem;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// The whole pipeline through the real `cryptoetl` entry point, against a local CoinGecko
/// stand-in on 127.0.0.1 that serves recorded pages, into a temp data folder.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private const string FetchTime = "2026-11-25T12:00:00Z";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_fetches_every_page_and_loads_each_coin_once()
    {
        await using var coinGecko = await StartCoinGeckoAsync();

        var (exit, output, error) = await RunAsync("run", "--data-dir", _dir.FullPath, "--pages", "all",
            "--coingecko-url", coinGecko.BaseAddress + "api/v3", "--rate", "60000", "--input", $$"""{"fetch_time":"{{FetchTime}}"}""");

        Assert.True(exit == 0, error + output);
        var fetchTime = DateTimeOffset.Parse(FetchTime, System.Globalization.CultureInfo.InvariantCulture);
        var store = new FileSystemObjectStore(_dir.Combine("objects"));
        Assert.NotNull(await store.HeadAsync(ObjectKeys.Raw(fetchTime), default));
        Assert.NotNull(await store.HeadAsync(ObjectKeys.Quality(fetchTime), default));
        var csv = System.Text.Encoding.UTF8.GetString(await store.ReadAllBytesAsync(await StoredCsv.SingleKeyAsync(store, fetchTime), default));
        Assert.StartsWith(CryptoSchema.CsvHeader + "\r\n", csv, StringComparison.Ordinal);
        // Exponents survive from the raw JSON to the CSV as CoinGecko wrote them.
        Assert.Contains(",3.711857321470539e-9,", csv, StringComparison.Ordinal);

        var expectedIds = ExpectedIds();
        var ids = await ScalarsAsync("SELECT id FROM crypto_data ORDER BY id");
        Assert.Equal(expectedIds.Order(StringComparer.Ordinal), ids.Cast<string>());
        Assert.Contains("Top 10 by market dominance", output, StringComparison.Ordinal);
        // Coins on both pages are kept once, and the summary says how many were dropped.
        var onBothPages = Ids(TestData.CoinGecko(TestData.Markets250)).Intersect(Ids(TestData.CoinGecko(TestData.Markets57Minified))).Count();
        Assert.True(onBothPages > 0);
        Assert.Matches($@"duplicates dropped\s*│\s*{onBothPages}\s", output);
        // Pages 1, 2 and the empty page 3 that ends the sweep, and /global once.
        Assert.Equal(["/api/v3/coins/markets?page=1", "/api/v3/coins/markets?page=2", "/api/v3/coins/markets?page=3", "/api/v3/global"],
            coinGecko.Requests.Select(r => PathAndPage(r.PathAndQuery)).Order(StringComparer.Ordinal));
        // The CLI asks for compressed bodies like the Lambda does: a full sweep is ~6x smaller gzipped.
        Assert.All(coinGecko.Requests, r => Assert.Contains("gzip", r.Headers.GetValueOrDefault("Accept-Encoding") ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Running_twice_for_the_same_fetch_time_duplicates_nothing()
    {
        await using var coinGecko = await StartCoinGeckoAsync();
        string[] args = ["run", "--data-dir", _dir.FullPath, "--coingecko-url", coinGecko.BaseAddress + "api/v3", "--rate", "60000",
            "--input", $$"""{"fetch_time":"{{FetchTime}}"}"""];

        var first = await RunAsync(args);
        var rowsAfterFirst = await ScalarsAsync("SELECT count(*) FROM crypto_data");
        var second = await RunAsync(args);

        Assert.True(first.Exit == 0, first.Error);
        Assert.True(second.Exit == 0, second.Error);
        Assert.Equal((long)ExpectedIds().Count, rowsAfterFirst.Single());
        Assert.Equal(rowsAfterFirst, await ScalarsAsync("SELECT count(*) FROM crypto_data"));
        Assert.Equal(rowsAfterFirst, await ScalarsAsync("SELECT count(DISTINCT id) FROM crypto_data"));
    }

    /// <summary>Issue 15 item 14: a failed state that a Catch handled was printed as "succeeded Extract (22.22 s)".</summary>
    [Fact]
    public async Task A_caught_failure_is_printed_as_failed_not_succeeded()
    {
        var (exit, output, _) = await RunAsync("run", "--offline", "--data-dir", _dir.FullPath, "--input", """{"fetch_time": "9999-12-31T00:00:00Z"}""");

        // The CLI's parser accepts the time; Extract's window check refuses it inside the state machine.
        Assert.Equal(1, exit);
        Assert.Matches(@"failed +Extract \([0-9.]+ s\): CryptoEtl\.InvalidInput, caught -> ExtractFailed", output);
        Assert.DoesNotMatch(@"succeeded +Extract \(", output);
        Assert.Contains("succeeded ExtractFailed", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The newcomer's first run: the recorded market and its /global were recorded at the same
    /// moment (Recorded/SOURCES.md), so no data-quality check warns, global dominance is in every
    /// row, and the snapshot is of the recording's own time, not of today.
    /// </summary>
    [Fact]
    public async Task Offline_run_loads_the_recorded_market_at_its_own_time_without_a_warning()
    {
        var (exit, output, error) = await RunAsync("run", "--offline", "--data-dir", _dir.FullPath);

        Assert.True(exit == 0, error + output);
        Assert.Equal("", error);
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        var recorded = Ids(RepoPaths.Path("src", "CryptoEtl.RecordedCoinGecko", "Recorded", "coins_markets_usd_page1.json"));
        Assert.Equal((long)recorded.Count, (await ScalarsAsync("SELECT count(*) FROM crypto_data")).Single());
        Assert.Equal(0L, (await ScalarsAsync("SELECT count(*) FROM crypto_data WHERE global_dominance_percentage IS NULL")).Single());
        Assert.Equal(["bitcoin"], await ScalarsAsync("SELECT id FROM crypto_data ORDER BY dominance_percentage DESC LIMIT 1"));
        Assert.Equal(["2022-11-27T21:13:36Z"], await ScalarsAsync("SELECT strftime(fetch_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM crypto_data GROUP BY 1"));
        var quality = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir.FullPath, "objects", ObjectKeys.Quality(RecordedMarket.RecordedAt))));
        Assert.Equal(0, quality.RootElement.GetProperty("warnings").GetInt32());
        Assert.Contains("Snapshot of <time datetime=\"2022-11-27T21:13:36Z\">27 Nov 2022, 21:13 UTC</time>", File.ReadAllText(Path.Combine(_dir.FullPath, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_run_one_at_a_time_with_the_lambda_json()
    {
        var extract = await RunAsync("extract", "--offline", "--data-dir", _dir.FullPath, "--input", $$"""{"pages":1,"fetch_time":"{{FetchTime}}"}""");
        Assert.Equal(0, extract.Exit);
        var rawKey = JsonDocument.Parse(extract.Output).RootElement.GetProperty("raw_key").GetString();
        Assert.Equal(ObjectKeys.Raw(DateTimeOffset.Parse(FetchTime, System.Globalization.CultureInfo.InvariantCulture)), rawKey);

        var transform = await RunAsync("transform", "--data-dir", _dir.FullPath, "--input", $$"""{"raw_key":"{{rawKey}}"}""");
        Assert.Equal(0, transform.Exit);
        var transformed = JsonDocument.Parse(transform.Output).RootElement;

        var load = await RunAsync("load", "--data-dir", _dir.FullPath, "--input",
            $$"""{"csv_key":"{{transformed.GetProperty("csv_key").GetString()}}","fetch_time":"{{FetchTime}}","expected_rows":{{transformed.GetProperty("rows").GetInt32()}}}""");
        Assert.Equal(0, load.Exit);
        Assert.Equal(transformed.GetProperty("rows").GetInt32(), JsonDocument.Parse(load.Output).RootElement.GetProperty("rows_loaded").GetInt32());

        var query = await RunAsync("query", "--data-dir", _dir.FullPath, "--format", "csv", "SELECT count(*) AS n FROM crypto_data");
        Assert.Equal($"n\n{transformed.GetProperty("rows").GetInt32()}\n", query.Output);
    }

    [Fact]
    public async Task A_failure_exits_non_zero_with_one_line_naming_it()
    {
        var (exit, _, error) = await RunAsync("transform", "--data-dir", _dir.FullPath, "--input", """{"raw_key":"raw/2026/11/25/nothing.json"}""");

        Assert.Equal(1, exit);
        Assert.Equal($"cryptoetl: {ErrorNames.ObjectNotFound}: no object raw/2026/11/25/nothing.json in {new FileSystemObjectStore(_dir.Combine("objects")).Location}", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Query_on_a_folder_without_a_warehouse_says_so_and_creates_nothing()
    {
        var (exit, _, error) = await RunAsync("query", "--data-dir", _dir.Combine("typo"), "SELECT 1");

        Assert.Equal(1, exit);
        Assert.Equal($"cryptoetl: {ErrorNames.InvalidInput}: no warehouse at {_dir.Combine("typo", "warehouse.duckdb")}; `cryptoetl run` creates it", error.TrimEnd('\n'));
        Assert.False(Directory.Exists(_dir.Combine("typo")));
    }

    private static async Task<LocalHttpServer> StartCoinGeckoAsync()
    {
        var page1 = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Markets250));
        var page2 = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Markets57Minified));
        var global = await File.ReadAllBytesAsync(TestData.CoinGecko(TestData.Global));
        return await LocalHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            var body = context.Request.Path.Value switch
            {
                "/api/v3/global" => global,
                "/api/v3/coins/markets" => context.Request.Query["page"].ToString() switch
                {
                    "1" => page1,
                    "2" => page2,
                    _ => "[]"u8.ToArray(),
                },
                _ => null,
            };
            if (body is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await context.Response.Body.WriteAsync(body);
        });
    }

    /// <summary>The coins the two served pages hold, first occurrence wins: what must be loaded.</summary>
    private static HashSet<string> ExpectedIds()
    {
        var ids = Ids(TestData.CoinGecko(TestData.Markets250));
        ids.UnionWith(Ids(TestData.CoinGecko(TestData.Markets57Minified)));
        return ids;
    }

    private static HashSet<string> Ids(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("current_price").ValueKind == JsonValueKind.Number && c.GetProperty("current_price").GetDouble() >= 0)
            .Select(c => c.GetProperty("id").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string PathAndPage(string pathAndQuery)
    {
        var uri = new Uri("http://x" + pathAndQuery);
        var page = System.Web.HttpUtility.ParseQueryString(uri.Query)["page"];
        return page is null ? uri.AbsolutePath : $"{uri.AbsolutePath}?page={page}";
    }

    private async Task<List<object?>> ScalarsAsync(string sql) =>
        (await DuckDbQuery.RunAsync(_dir.Combine("warehouse.duckdb"), sql, default)).Rows.Select(r => r[0]).ToList();

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);
}

/// <summary>Runs the real `cryptoetl` entry point in process with captured output.</summary>
public static class CliRunner
{
    public static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Runs with this environment (the CLI reads no other); null is an empty one.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CryptoEtlApp.RunAsync(args, CliConsole.ToWriters(output, error, name => environment?.GetValueOrDefault(name)));
        return (exit, output.ToString(), error.ToString());
    }
}
