using System.CommandLine;
using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>The `cryptoetl` command line: parses, dispatches, and turns failures into one line.</summary>
public static class CryptoEtlApp
{
    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand("CryptoEtl: CoinGecko market snapshots -> raw JSON -> CSV -> warehouse, locally or on AWS.");
        foreach (var command in Commands.All(console))
        {
            root.Subcommands.Add(command);
        }

        var parsed = root.Parse(args);
        try
        {
            var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
            if (parsed.CommandResult.Command.Name is ScheduleCommand.Name or ServeCommand.Name)
            {
                // schedule and serve handle SIGINT/SIGTERM themselves, so the run in progress can outlast the default 2 s.
                configuration.ProcessTerminationTimeout = null;
            }

            return await parsed.InvokeAsync(configuration);
        }
        catch (PipelineException ex)
        {
            await console.Error.WriteLineAsync($"cryptoetl: {ex.ErrorName}: {OneLine(ex.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("cryptoetl: cancelled");
            return 130;
        }
#pragma warning disable CA1031 // The command line's contract: any failure is one line and a non-zero exit.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await console.Error.WriteLineAsync($"cryptoetl: unexpected {ex.GetType().Name}: {OneLine(ex.Message)}");
            return 1;
        }
    }

    /// <summary>Errors are one line on stderr; Snowflake's messages, for one, carry newlines.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
