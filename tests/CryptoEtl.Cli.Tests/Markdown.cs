using System.Text.RegularExpressions;

namespace CryptoEtl.Cli.Tests;

/// <summary>Just enough Markdown for the docs tests: a section by its heading, its table rows, code spans.</summary>
public static partial class Markdown
{
    public static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {heading}");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>The body rows of the section's tables, cells trimmed ("\|" inside a cell is not a separator).</summary>
    public static IEnumerable<string[]> TableRows(string section) =>
        section.Split('\n')
            .Where(line => line.StartsWith('|') && !line.StartsWith("|---", StringComparison.Ordinal) && !line.StartsWith("| ---", StringComparison.Ordinal))
            .Select(line => CellSeparator().Split(line.Trim().Trim('|')).Select(c => c.Trim()).ToArray())
            .Where(cells => !IsHeader(cells));

    private static bool IsHeader(string[] cells) =>
        cells[0] is "command" or "path" or "figure" or "topic" or "mode" or "coins" or "project" || cells[0].StartsWith("run (", StringComparison.Ordinal);

    /// <summary>The code spans of a cell, "`src/CryptoEtl.Extract`, `.Transform`" read as src/CryptoEtl.Extract, src/CryptoEtl.Transform.</summary>
    public static List<string> CodeNames(string cell)
    {
        var names = new List<string>();
        var previous = "";
        foreach (Match code in Code().Matches(cell))
        {
            var name = code.Groups[1].Value;
            name = name.StartsWith('.') ? previous[..previous.LastIndexOf('.')] + name : name;
            names.Add(name.TrimEnd('/'));
            previous = name;
        }

        return names;
    }

    [GeneratedRegex("`([^`]+)`")]
    public static partial Regex Code();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();
}
