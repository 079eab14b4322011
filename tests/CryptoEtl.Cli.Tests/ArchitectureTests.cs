using System.Text.RegularExpressions;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// docs/architecture.md's "what each may reference" table, checked against the `using` lines of
/// every project's .cs files (a transitive reference compiles, so only the using lines show a
/// project reaching past what it may reference); DocsTests checks it against the project files.
/// </summary>
public sealed partial class ArchitectureTests
{
    internal static readonly string[] ProjectNames = Directory.EnumerateDirectories(Path.Combine(TestData.RepoRoot, "src"))
        .Select(Path.GetFileName)
        .Select(name => name!["CryptoEtl.".Length..])
        .ToArray();

    [Fact]
    public void Every_using_line_names_only_a_project_docs_architecture_allows()
    {
        var allowed = Allowed();
        var checkedLines = 0;
        foreach (var project in ProjectNames)
        {
            var folder = Path.Combine(TestData.RepoRoot, "src", $"CryptoEtl.{project}");
            var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));
            foreach (var source in sources)
            {
                foreach (Match line in UsingLine().Matches(File.ReadAllText(source)))
                {
                    checkedLines++;
                    var used = line.Groups["project"].Value;
                    Assert.True(
                        used == project || allowed[project].Contains(used),
                        $"{Path.GetRelativePath(TestData.RepoRoot, source)}: `{line.Value.Trim()}` reaches CryptoEtl.{used}, which docs/architecture.md does not allow CryptoEtl.{project}");
                }
            }
        }

        // The check reads real lines: Core alone is named in more than a hundred.
        Assert.True(checkedLines > 100, $"only {checkedLines} using lines found");
    }

    /// <summary>The table: each project and the projects it may reference.</summary>
    internal static Dictionary<string, HashSet<string>> Allowed()
    {
        var architecture = File.ReadAllText(Path.Combine(TestData.RepoRoot, "docs", "architecture.md"));
        var allowed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var row in Markdown.TableRows(Markdown.Section(architecture, "## The projects and what each may reference")))
        {
            // Project names as whole words: "DuckDb" names the project, "DuckDB.NET" the package.
            var references = ProjectNames.Where(name => Regex.IsMatch(row[1], $@"\b{name}\b")).ToHashSet(StringComparer.Ordinal);
            foreach (var project in Markdown.CodeNames(row[0]))
            {
                allowed[project["CryptoEtl.".Length..]] = references;
            }
        }

        return allowed;
    }

    // `using CryptoEtl.X;`, `using CryptoEtl.X.Y;`, `using static CryptoEtl.X...;`, `global using ...`, `using A = CryptoEtl.X...;`.
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?CryptoEtl\.(?<project>[A-Za-z]+)\b[^;]*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
