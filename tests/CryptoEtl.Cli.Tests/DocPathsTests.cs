using System.Text.RegularExpressions;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// Every repository path README.md and docs/*.md cite exists: a file that moves or goes takes its
/// citations with it, or this names the page and the path. Another repository's path is written
/// with its owner/name in front (localstack/localstack/tests/...), so it is not read as ours.
/// </summary>
public sealed partial class DocPathsTests
{
    private static readonly string Root = TestData.RepoRoot;

    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (var page in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            pages.Add("docs/" + Path.GetFileName(page));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_repository_path_a_page_cites_exists(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page));
        var cited = CitedPaths(text).ToList();
        var missing = cited.Where(path => !File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path))).ToList();

        Assert.True(missing.Count == 0, $"{page} cites paths that do not exist: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_citation_reader_finds_paths_in_code_spans_links_and_prose()
    {
        const string text = "See `src/CryptoEtl.Core/Contracts.cs`, [the ASL](../statemachine/crypto_etl.asl.json) and "
            + "infra/snowflake/09_snowpipe.sql; not s3://bucket/src/x.cs, localstack/localstack/tests/aws/x.json, tests/*/bin, build/<rid>/bootstrap, src/CryptoEtl.* or src/CryptoEtl.Cli.";

        Assert.Equal(["src/CryptoEtl.Core/Contracts.cs", "statemachine/crypto_etl.asl.json", "infra/snowflake/09_snowpipe.sql", "src/CryptoEtl.Cli"],
            CitedPaths(text));
    }

    /// <summary>
    /// Paths that start at one of the repository's top-level folders (as the pages write them, or
    /// relative to docs/ as "../"), wherever they stand; a wildcard or a &lt;placeholder&gt; is a
    /// pattern, not a path, and a path inside a URL is the URL's.
    /// </summary>
    private static IEnumerable<string> CitedPaths(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in RepositoryPath().Matches(text))
        {
            var path = match.Groups["path"].Value;
            var next = text.AsSpan(match.Index + match.Length).TrimStart('.');
            if (next.Length > 0 && next[0] is '*' or '<' or '{')
            {
                continue;
            }

            if (seen.Add(path))
            {
                yield return path;
            }
        }
    }

    // Not after a letter, digit, "/", "." or ":" (so not inside a URL or another path), except "../".
    [GeneratedRegex(@"(?<![\w/.:\-])(?:\.\./)?(?<path>(?:src|tests|docs|infra|bench|build|statemachine|\.ci|\.github)/[\w./\-]*[\w/])")]
    private static partial Regex RepositoryPath();
}
