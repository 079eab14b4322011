using System.Globalization;
using System.Text.RegularExpressions;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// README.md checked against what it describes (in the spirit of nietras/Sep's README test): the
/// command table against the CLI's real commands and options, the layout table against the repo,
/// every relative link against the files, and the Performance table against docs/performance.md
/// (the README's figures must be found there, so updating the figures there keeps this true).
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly string Root = TestData.RepoRoot;
    private static readonly string Readme = File.ReadAllText(Path.Combine(Root, "README.md"));

    [Fact]
    public void The_command_table_lists_exactly_the_real_commands_with_real_options()
    {
        var section = Markdown.Section(Readme, "## The `cryptoetl` command");
        var commands = Commands.All(CliConsole.ToWriters(TextWriter.Null, TextWriter.Null)).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var documented = new HashSet<string>(StringComparer.Ordinal);

        foreach (var row in Markdown.TableRows(section))
        {
            var usage = Markdown.Code().Match(row[0]).Groups[1].Value;
            var names = usage.Split(' ')[0].Split(@"\|");
            var options = OptionName().Matches(usage).Select(m => m.Value).ToList();
            foreach (var name in names)
            {
                Assert.True(commands.TryGetValue(name, out var command), $"README lists `{name}`, which cryptoetl does not have");
                documented.Add(name);
                var real = command.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
                Assert.All(options, option => Assert.True(real.Contains(option), $"README gives `{name}` the option {option}, which it does not take"));
            }
        }

        Assert.Equal(commands.Keys.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        // Every option of every command is explained somewhere in the section (the table or the text under it).
        var mentioned = OptionName().Matches(section).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var command in commands.Values)
        {
            Assert.All(command.Options.Select(o => o.Name), option =>
                Assert.True(mentioned.Contains(option), $"`{command.Name} {option}` is not in README's command section"));
        }
    }

    [Fact]
    public void The_layout_table_names_paths_that_exist_and_every_project_in_src()
    {
        var paths = new List<string>();
        foreach (var row in Markdown.TableRows(Markdown.Section(Readme, "## Layout")))
        {
            paths.AddRange(Markdown.CodeNames(row[0]));
        }

        Assert.All(paths, path => Assert.True(Exists(path), $"README's layout names {path}, which does not exist"));
        var projects = Directory.EnumerateDirectories(Path.Combine(Root, "src")).Select(d => $"src/{Path.GetFileName(d)}");
        Assert.All(projects, project => Assert.True(paths.Contains(project), $"{project} is missing from README's layout table"));
    }

    [Fact]
    public void Every_relative_link_points_at_a_file_that_exists()
    {
        var links = Link().Matches(Readme).Select(m => m.Groups[1].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#') && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Select(target => target.Split('#')[0])
            .ToList();

        Assert.NotEmpty(links);
        Assert.All(links, target => Assert.True(Exists(target), $"README links to {target}, which does not exist"));
    }

    [Fact]
    public void Every_figure_in_the_performance_table_is_in_the_matching_rows_of_docs_performance()
    {
        var performance = File.ReadAllText(Path.Combine(Root, "docs", "performance.md"));
        // Only the table rows of the figures section: prose (history, figures under load) does not count.
        var measured = Markdown.TableRows(Markdown.Section(performance, "## Figures against the targets")).ToList();
        var rows = Markdown.TableRows(Markdown.Section(Readme, "## Performance")).ToList();

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            // The rows about the same thing: same first word ("Transform", "DuckDB") and the same
            // sizes ("17,000", "500,000") in the name.
            var firstWord = row[0].Split(' ')[0];
            var sizes = Figures(row[0]).Select(f => f.Text).ToList();
            var candidates = measured
                .Where(m => m[0].StartsWith(firstWord + " ", StringComparison.Ordinal) && sizes.All(size => m[0].Contains(size, StringComparison.Ordinal)))
                .Select(m => Figures(string.Join(" | ", m)).Select(f => f.Value).ToList())
                .ToList();
            Assert.True(candidates.Count > 0, $"README's performance row \"{row[0]}\" has no row in docs/performance.md's figures");
            foreach (var figure in Figures(row[1] + " | " + row[2]))
            {
                Assert.True(
                    candidates.Any(line => line.Any(value => Rounds(value, figure))),
                    $"README's performance row \"{row[0]}\" says {figure.Text}, which docs/performance.md's rows for it do not give");
            }
        }
    }

    /// <summary>True when <paramref name="value"/> shown with the figure's decimals is the figure (27.4 -> 27, 1.38 -> 1.4).</summary>
    private static bool Rounds(decimal value, (decimal Value, int Decimals, string Text) figure) =>
        Math.Round(value, figure.Decimals, MidpointRounding.AwayFromZero) == figure.Value;

    /// <summary>The numbers of a cell: "526,000", "0.40", "824"; not ratios ("1/15") or multiples ("35x").</summary>
    private static IEnumerable<(decimal Value, int Decimals, string Text)> Figures(string text) =>
        Number().Matches(text).Select(m =>
        {
            var digits = m.Value.Replace(",", "", StringComparison.Ordinal);
            var point = digits.IndexOf('.', StringComparison.Ordinal);
            return (decimal.Parse(digits, CultureInfo.InvariantCulture), point < 0 ? 0 : digits.Length - point - 1, m.Value);
        });

    private static bool Exists(string relative) =>
        File.Exists(Path.Combine(Root, relative)) || Directory.Exists(Path.Combine(Root, relative));

    [GeneratedRegex(@"--[a-z][a-z0-9-]*")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"(?<![\d/.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d/]|x\b|,\d{3})")]
    private static partial Regex Number();
}
