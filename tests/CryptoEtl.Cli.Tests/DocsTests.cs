using System.Xml.Linq;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>docs/architecture.md's "what each may reference" table, checked against every project file in src/.</summary>
public sealed class DocsTests
{
    [Fact]
    public void Every_project_references_only_what_docs_architecture_allows()
    {
        var allowed = ArchitectureTests.Allowed();

        Assert.Equal(ArchitectureTests.ProjectNames.Order(StringComparer.Ordinal), allowed.Keys.Order(StringComparer.Ordinal));
        foreach (var project in ArchitectureTests.ProjectNames)
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
