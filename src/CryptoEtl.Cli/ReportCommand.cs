using System.CommandLine;
using System.Diagnostics;
using CryptoEtl.Core;
using CryptoEtl.Report;

namespace CryptoEtl.Cli;

/// <summary>`cryptoetl report`: the local market report, one self-contained HTML file.</summary>
public static class ReportCommand
{
    public const string DefaultFileName = "report.html";

    public static Command Create(CliConsole console)
    {
        var options = new PipelineOptions();
        var output = new Option<string?>("--out") { Description = $"The HTML file to write (default DATA_DIR/{DefaultFileName})" };
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser" };
        var command = new Command("report", "Write the market report of the latest snapshot as one HTML file (no network needed to view it)")
        {
            output, open,
        };
        // --store tells where the data-quality objects are; the figures come from the warehouse.
        options.AddTo(command, withCoinGecko: false, withWarehouse: false);
        command.SetAction(async (parsed, ct) =>
        {
            using var pipeline = new LocalPipeline(options.Read(parsed), console.GetEnvironment);
            var path = await WriteAsync(pipeline, parsed.GetValue(output), ct);
            await console.Out.WriteLineAsync(path);
            if (parsed.GetValue(open))
            {
                Open(path);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Builds the report from the pipeline's warehouse and quality objects; returns the file written.</summary>
    public static async Task<string> WriteAsync(LocalPipeline pipeline, string? outputPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var data = await MarketReport.BuildAsync(pipeline.Settings.DatabasePath, pipeline.Store, ct);
        return await ReportFile.WriteAsync(outputPath ?? Path.Combine(pipeline.Settings.DataDir, DefaultFileName), data, ct);
    }

    private static void Open(string path)
    {
        try
        {
            // The shell picks the user's browser: xdg-open, open or the Windows association.
            using var process = Process.Start(new ProcessStartInfo(path) { UseShellExecute = true });
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new PipelineException(ErrorNames.Configuration, $"could not open {path} in a browser ({ex.Message}); open it by hand");
        }
    }
}
