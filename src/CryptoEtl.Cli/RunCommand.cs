using System.CommandLine;
using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>`cryptoetl run`: Extract -> Transform -> Load on this machine, then a summary.</summary>
public static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var dataDir = CommonOptions.DataDir();
        var input = CommonOptions.Input();
        var coinGeckoUrl = CommonOptions.CoinGeckoUrl();
        var rate = CommonOptions.Rate();
        var offline = CommonOptions.Offline();
        var pages = new Option<string?>("--pages") { Description = "Pages of /coins/markets to fetch: a number (default 2) or 'all'" };
        var perPage = new Option<int?>("--per-page") { Description = "Coins per page, 1 to 250 (default 250)" };
        var vsCurrency = new Option<string?>("--vs-currency") { Description = "Quote currency (default usd)" };
        var command = new Command("run", "Run the whole pipeline locally: Extract -> Transform -> Load")
        {
            dataDir, pages, perPage, vsCurrency, coinGeckoUrl, rate, offline, input,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var fromInput = await Commands.ReadInputAsync(parsed.GetValue(input), ContractsJsonContext.Default.ExtractInput, ct) ?? new ExtractInput();
            // Options win over --input, which wins over the defaults.
            var extractInput = fromInput with
            {
                Pages = parsed.GetValue(pages) is { } p ? PageCount.Parse(p) : fromInput.Pages,
                PerPage = parsed.GetValue(perPage) ?? fromInput.PerPage,
                VsCurrency = parsed.GetValue(vsCurrency) ?? fromInput.VsCurrency,
            };
            var settings = new PipelineSettings
            {
                DataDir = parsed.GetValue(dataDir)!,
                CoinGeckoUrl = parsed.GetValue(coinGeckoUrl),
                CallsPerMinute = parsed.GetValue(rate),
                Offline = parsed.GetValue(offline),
            };
            using var pipeline = new LocalPipeline(settings, console.GetEnvironment);
            var display = console.Display;
            display.MarkupLine(settings.Offline
                ? "[bold]CryptoEtl[/] run, offline (recorded market; data provided by CoinGecko)"
                : "[bold]CryptoEtl[/] run (data provided by CoinGecko)");

            var extracted = await Step(display, "Extract", () => pipeline.Extract.RunAsync(extractInput, null, ct),
                o => $"{o.Coins} coins from {o.Pages} page(s) -> {o.RawKey}");
            var transformed = await Step(display, "Transform", () => pipeline.Transform.RunAsync(new TransformInput { RawKey = extracted.RawKey }, ct),
                o => $"{o.Rows} rows, {o.Rejected} rejected -> {o.CsvKey}");
            var loaded = await Step(display, "Load", () => pipeline.Load.RunAsync(
                new LoadInput { CsvKey = transformed.CsvKey, FetchTime = transformed.FetchTime, ExpectedRows = transformed.Rows }, ct),
                o => $"{o.RowsLoaded} rows into {o.Table} ({pipeline.Warehouse.DatabasePath})");

            await WriteSummaryAsync(display, pipeline, extracted, transformed, loaded, ct);
            return 0;
        });
        return command;
    }

    private static async Task<T> Step<T>(IAnsiConsole display, string name, Func<Task<T>> run, Func<T, string> describe)
    {
        var started = TimeProvider.System.GetTimestamp();
        display.MarkupLine($"[grey]>[/] {name}");
        try
        {
            var output = await run();
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            display.MarkupLine($"[green]ok[/] {name} {Markup.Escape(describe(output))} [grey]({elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)[/]");
            return output;
        }
        catch (PipelineException ex)
        {
            display.MarkupLine($"[red]failed[/] {name}: {Markup.Escape(ex.ErrorName)}");
            throw;
        }
    }

    private static async Task WriteSummaryAsync(IAnsiConsole display, LocalPipeline pipeline, ExtractOutput extracted, TransformOutput transformed, LoadOutput loaded, CancellationToken ct)
    {
        var summary = new Table().AddColumn("").AddColumn("");
        summary.HideHeaders();
        summary.AddRow("fetch time", ObjectKeys.Iso(extracted.FetchTime));
        summary.AddRow("pages", extracted.Pages.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("coins", extracted.Coins.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("rejected", transformed.Rejected.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("rows loaded", loaded.RowsLoaded.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("data", Markup.Escape(pipeline.Settings.DataDir));
        display.Write(summary);

        var top = await DuckDbQuery.RunAsync(
            pipeline.Warehouse.DatabasePath,
            $"""
            SELECT market_cap_rank, name, symbol, dominance_percentage
            FROM {CryptoSchema.TableName}
            WHERE fetch_time = TIMESTAMPTZ '{ObjectKeys.Iso(loaded.FetchTime)}' AND dominance_percentage IS NOT NULL
            ORDER BY dominance_percentage DESC LIMIT 10
            """,
            ct);
        var table = new Table().Title("Top 10 by market dominance").AddColumns("#", "name", "symbol", "dominance %");
        foreach (var row in top.Rows)
        {
            table.AddRow(
                QueryCommand.Format(row[0]) ?? "",
                Markup.Escape(QueryCommand.Format(row[1]) ?? ""),
                Markup.Escape(QueryCommand.Format(row[2]) ?? ""),
                row[3] is double d ? d.ToString("0.00", CultureInfo.InvariantCulture) : "");
        }

        display.Write(table);
    }
}
