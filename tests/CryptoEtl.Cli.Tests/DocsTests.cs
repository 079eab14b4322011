using System.Text.RegularExpressions;
using System.Xml.Linq;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>docs/architecture.md's "what each may reference" table, checked against every project file in src/.</summary>
public sealed class DocsTests
{
    private static readonly string[] ProjectNames = Directory.EnumerateDirectories(Path.Combine(TestData.RepoRoot, "src"))
        .Select(Path.GetFileName)
        .Select(name => name!["CryptoEtl.".Length..])
        .ToArray();

    [Fact]
    public void Every_project_references_only_what_docs_architecture_allows()
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

        Assert.Equal(ProjectNames.Order(StringComparer.Ordinal), allowed.Keys.Order(StringComparer.Ordinal));
        foreach (var project in ProjectNames)
        {
            var file = Path.Combine(TestData.RepoRoot, "src", $"CryptoEtl.{project}", $"CryptoEtl.{project}.csproj");
            var references = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))["CryptoEtl.".Length..]);
            Assert.All(references, reference => Assert.True(
                allowed[project].Contains(reference),
                $"CryptoEtl.{project} references CryptoEtl.{reference}, which docs/architecture.md does not allow it"));
        }
    }
}
