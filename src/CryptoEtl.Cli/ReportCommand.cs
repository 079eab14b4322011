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
        var dataDir = CommonOptions.DataDir();
        var output = new Option<string?>("--out") { Description = $"The HTML file to write (default <data-dir>/{DefaultFileName})" };
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser" };
        var command = new Command("report", "Write the market report of the latest snapshot as one HTML file (no network needed to view it)")
        {
            dataDir, output, open,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var settings = new PipelineSettings { DataDir = parsed.GetValue(dataDir)! };
            var path = await WriteAsync(settings, parsed.GetValue(output), ct);
            await console.Out.WriteLineAsync(path);
            if (parsed.GetValue(open))
            {
                Open(path);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Builds the report from the data folder's warehouse and quality objects; returns the file written.</summary>
    public static async Task<string> WriteAsync(PipelineSettings settings, string? outputPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var data = await MarketReport.BuildAsync(settings.DatabasePath, new FileSystemObjectStore(settings.ObjectsDir), ct);
        return await ReportFile.WriteAsync(outputPath ?? Path.Combine(settings.DataDir, DefaultFileName), data, ct);
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
