using System.Reflection;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// README.md's settings table against the one list of settings (<see cref="SettingNames"/>) and
/// the CLI's options that give them: a setting added, renamed or given an option shows up there.
/// </summary>
public sealed class SettingsTableTests
{
    [Fact]
    public void The_readme_lists_every_setting_once_with_the_option_that_gives_it()
    {
        var readme = File.ReadAllText(Path.Combine(TestData.RepoRoot, "README.md"));
        var documented = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in Markdown.TableRows(Markdown.Section(readme, "## Settings")).Where(r => r[0].StartsWith('`')))
        {
            var option = Markdown.CodeNames(row[1]).SingleOrDefault() ?? "";
            foreach (var name in Markdown.CodeNames(row[0]))
            {
                Assert.True(documented.TryAdd(name, option), $"README lists {name} twice");
            }
        }

        var settings = typeof(SettingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(settings.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));

        var options = new PipelineOptions().SettingOptions;
        Assert.Equal(
            options.OrderBy(o => o.Key, StringComparer.Ordinal),
            documented.Where(d => d.Value.Length > 0).OrderBy(d => d.Key, StringComparer.Ordinal));
    }
}
