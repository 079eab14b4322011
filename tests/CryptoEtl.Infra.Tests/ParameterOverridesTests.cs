using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// `sam deploy --parameter-overrides` as SAM CLI reads each argument (aws/aws-sam-cli,
/// samcli/cli/types.py, CfnParameterOverridesType.convert with _generate_match_regex(delim=" ") and
/// _unquote_wrapped_quotes): the argument, with a space put in front, is searched for
/// " Key=Value" pairs, where Value is a double-quoted run (\" and other backslash escapes inside),
/// a single-quoted run, or a run of characters other than space, quote and backslash (backslash
/// escapes allowed); wrapping quotes are then removed and \ , \" and \' unescaped. Whatever the
/// pairs do not cover is dropped without a word, so `ScheduleExpression=rate(6 hours)` sends
/// `rate(6`. The shell first removes its own quotes, so the docs' commands are split by bash here.
/// </summary>
public sealed partial class ParameterOverridesTests
{
    [Theory]
    [InlineData("ScheduleExpression=rate(6 hours)", "ScheduleExpression", "rate(6", false)]
    [InlineData("ScheduleExpression=\"rate(6 hours)\"", "ScheduleExpression", "rate(6 hours)", true)]
    [InlineData("ScheduleExpression=\"cron(0 */6 * * ? *)\"", "ScheduleExpression", "cron(0 */6 * * ? *)", true)]
    [InlineData("ScheduleInput=\"{\\\"pages\\\":2}\"", "ScheduleInput", "{\"pages\":2}", true)]
    [InlineData("SnowflakeStorageIntegrationExternalId=MYORG_SFCRole=2_abcdefg=", "SnowflakeStorageIntegrationExternalId", "MYORG_SFCRole=2_abcdefg=", true)]
    public void Sam_reads_a_value_whole_only_when_it_is_quoted_for_sam(string argument, string key, string value, bool whole)
    {
        var (pairs, dropped) = Parse(argument);

        Assert.Equal(value, pairs[key]);
        Assert.Equal(whole, dropped.Length == 0);
    }

    /// <summary>The workflow's add() quotes every value for SAM: spaces, JSON and quotes arrive whole.</summary>
    [Theory]
    [InlineData("rate(6 hours)")]
    [InlineData("cron(0 */6 * * ? *)")]
    [InlineData("{\"pages\":\"all\",\"vs_currency\":\"eur\"}")]
    [InlineData("arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-AIDAEXAMPLE-abcdEFGHijkl")]
    [InlineData("MYORG_SFCRole=2_abcdefg=")]
    public async Task The_deploy_workflow_passes_each_value_whole(string value)
    {
        var workflow = await File.ReadAllTextAsync(Path.Combine(CfnTemplate.RepoRoot, ".github", "workflows", "deploy.yml"));
        var add = Assert.Single(workflow.Split('\n'), line => line.TrimStart().StartsWith("add() {", StringComparison.Ordinal)).Trim();

        var arguments = await BashWordsAsync($"overrides=(); {add}; add Key \"$VALUE\"; printf '%s\\0' \"${{overrides[@]}}\"", value);

        var (pairs, dropped) = Parse(Assert.Single(arguments));
        Assert.Equal(value, pairs["Key"]);
        Assert.Empty(dropped);
    }

    /// <summary>Every --parameter-overrides in the docs, split by bash as a reader's shell would, reaches SAM whole.</summary>
    [Fact]
    public async Task Every_parameter_override_in_the_docs_reaches_sam_whole()
    {
        var commands = new List<string>();
        foreach (var doc in new[] { Path.Combine(CfnTemplate.RepoRoot, "README.md") }
                     .Concat(Directory.GetFiles(Path.Combine(CfnTemplate.RepoRoot, "docs"), "*.md")))
        {
            var text = (await File.ReadAllTextAsync(doc)).Replace("\\\n", " ", StringComparison.Ordinal);
            commands.AddRange(OverridesCommand().Matches(text).Select(m => m.Groups[1].Value.Trim()));
        }

        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            foreach (var argument in await BashWordsAsync($"printf '%s\\0' {command}", ""))
            {
                var (pairs, dropped) = Parse(argument);
                Assert.True(pairs.Count > 0 && dropped.Length == 0, $"SAM drops \"{dropped}\" of `{argument}` (from `{command}`)");
            }
        }
    }

    /// <summary>The pairs SAM takes from one argument, and what it drops.</summary>
    private static (Dictionary<string, string> Pairs, string Dropped) Parse(string argument)
    {
        var text = " " + argument.Trim();
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        var covered = new bool[text.Length];
        foreach (Match match in Pair().Matches(text))
        {
            pairs[Unquote(match.Groups["key"].Value)] = Unquote(match.Groups["value"].Value);
            Array.Fill(covered, true, match.Index, match.Length);
        }

        var dropped = new string([.. text.Where((_, i) => !covered[i])]).Trim();
        return (pairs, dropped);
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'')
        {
            value = value[1..^1];
        }

        return value.Replace("\\ ", " ", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\'", "'", StringComparison.Ordinal);
    }

    private static async Task<List<string>> BashWordsAsync(string script, string value)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["VALUE"] = value;
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, error);
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    [GeneratedRegex("""(?: )(?<key>[A-Za-z0-9"']+)=(?<value>"(?:\\.|[^"\\]+)*"|'(?:\\.|[^'\\]+)*'|(?:\\.|[^ "\\]+)+)""")]
    private static partial Regex Pair();

    // A sam deploy command's overrides up to the end of its line (continuations already joined).
    [GeneratedRegex(@"sam deploy[^\n`]*?--parameter-overrides([^\n`]*)")]
    private static partial Regex OverridesCommand();
}
