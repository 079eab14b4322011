using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// Where a command writes: machine-readable output (JSON, CSV) on Out, people's views through the
/// Spectre console, one-line errors on Error. Tests pass their own writers.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, IAnsiConsole Display, Func<string, string?> GetEnvironment)
{
    public static CliConsole Standard() =>
        new(Console.Out, Console.Error, AnsiConsole.Console, Environment.GetEnvironmentVariable);

    /// <summary>A console for tests or scripts: no colours, no live widgets, everything to the writers.</summary>
    public static CliConsole ToWriters(TextWriter output, TextWriter error, Func<string, string?>? environment = null) =>
        new(
            output,
            error,
            AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output),
            }),
            environment ?? (_ => null));
}
