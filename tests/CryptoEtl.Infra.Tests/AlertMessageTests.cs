using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static CryptoEtl.Infra.Tests.CfnTemplate;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// The alert rule's input transformer, rendered by EventBridge's documented rules
/// (docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
/// "Input transform examples": a placeholder outside quotes becomes the value as JSON
/// (<c>{"instance" : &lt;instance&gt;}</c> gives <c>{"instance" : "i-0123456789"}</c>);
/// "Common issues": EventBridge does not escape values extracted by the input path, and a path that
/// the event lacks creates no variable. The event is AWS's recording of a Step Functions execution
/// status change (LocalStack tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json,
/// test_event_bridge_events_base: detail always carries name, status, executionArn, error and cause,
/// null when unset).
/// </summary>
public sealed partial class AlertMessageTests
{
    private static readonly string[] RecordedDetailFields =
    [
        "executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "input", "output",
        "stateMachineVersionArn", "stateMachineAliasArn", "redriveCount", "redriveDate", "redriveStatus",
        "redriveStatusReason", "inputDetails", "outputDetails", "error", "cause",
    ];

    public static TheoryData<string, string?> Causes => new()
    {
        { "quotes", """Load failed: {"errorMessage":"Snowflake said \"no\"","errorType":"CryptoEtl.WarehouseError","stackTrace":["at X"]}""" },
        { "newlines and tabs", "Extract failed: line one\nline two\r\n\tindented" },
        { "non-ASCII", "Transform failed: Ünïcödé ₿ 比特币 \u2028 \u0000" },
        { "angle brackets like a placeholder", "Load failed: <cause> <name> </script>" },
        { "32 KB", "Extract failed: " + new string('"', 16 * 1024) + new string('\\', 16 * 1024) },
        { "aborted: no cause", null },
    };

    [Theory]
    [MemberData(nameof(Causes))]
    public void The_alert_is_valid_json_carrying_the_events_values_whatever_the_cause_holds(string label, string? cause)
    {
        var (paths, template) = Transformer();
        var detail = new JsonObject
        {
            ["executionArn"] = "arn:aws:states:eu-west-1:123456789012:execution:CryptoEtlStateMachine-abc:run-1",
            ["name"] = "run-1",
            ["status"] = cause is null ? "ABORTED" : "FAILED",
            ["error"] = cause is null ? null : "CryptoEtl.WarehouseError",
            ["cause"] = cause,
        };
        var message = Render(template, paths, new JsonObject { ["detail"] = detail });

        var parsed = JsonNode.Parse(message)!.AsObject();
        Assert.True(parsed.ContainsKey("cause"), label);
        Assert.Equal(cause, parsed["cause"]?.GetValue<string>());
        Assert.Equal(detail["error"]?.GetValue<string>(), parsed["error"]?.GetValue<string>());
        Assert.Equal("run-1", parsed["execution"]!.GetValue<string>());
        Assert.Equal(detail["status"]!.GetValue<string>(), parsed["status"]!.GetValue<string>());
        Assert.Equal(detail["executionArn"]!.GetValue<string>(), parsed["executionArn"]!.GetValue<string>());
    }

    [Fact]
    public void Every_placeholder_stands_outside_quotes_and_reads_a_field_every_status_change_carries()
    {
        var (paths, template) = Transformer();

        Assert.Empty(PlaceholdersInsideStrings(template));
        Assert.All(paths.Values, path =>
        {
            Assert.StartsWith("$.detail.", path, StringComparison.Ordinal);
            Assert.Contains(path["$.detail.".Length..], RecordedDetailFields);
        });
        Assert.All(Placeholder().Matches(template).Select(m => m.Groups[1].Value), name => Assert.Contains(name, paths.Keys));
    }

    /// <summary>The rule that makes the former template fail: a placeholder inside a string.</summary>
    [Fact]
    public void A_placeholder_inside_quotes_breaks_on_a_quote_in_the_cause()
    {
        var paths = new Dictionary<string, string> { ["cause"] = "$.detail.cause" };
        const string Quoted = "\"Cause: <cause>\"";
        var message = Render(Quoted, paths, JsonNode.Parse("""{"detail":{"cause":"say \"hi\""}}""")!);

        Assert.NotEmpty(PlaceholdersInsideStrings(Quoted));
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(message));
    }

    private static (Dictionary<string, string> Paths, string Template) Transformer()
    {
        var rule = Properties(Assert.Single(Load(new Dictionary<string, string> { ["SnowflakeAccount"] = "myorg-myaccount" })
            .ResourcesOfType("AWS::Events::Rule")).Value);
        var transformer = AsMap(AsMap(Assert.Single(AsList(rule["Targets"])))["InputTransformer"]);
        var paths = AsMap(transformer["InputPathsMap"]).ToDictionary(p => p.Key, p => AsString(p.Value), StringComparer.Ordinal);
        return (paths, AsString(transformer["InputTemplate"]));
    }

    /// <summary>
    /// EventBridge's substitution as documented: outside a JSON string a placeholder becomes the
    /// value's JSON text; inside one, the value's characters unescaped. A path the event lacks
    /// creates no variable, so its placeholder stays as written.
    /// </summary>
    private static string Render(string template, Dictionary<string, string> paths, JsonNode @event)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, path) in paths)
        {
            JsonNode? node = @event;
            var found = true;
            foreach (var segment in path["$.".Length..].Split('.'))
            {
                if (node is JsonObject o && o.TryGetPropertyValue(segment, out var child))
                {
                    node = child;
                }
                else
                {
                    found = false;
                    break;
                }
            }

            if (found)
            {
                values[name] = node;
            }
        }

        var output = new StringBuilder();
        var inString = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '<' && Placeholder().Match(template, i) is { Success: true } match && match.Index == i
                && values.TryGetValue(match.Groups[1].Value, out var value))
            {
                output.Append(inString
                    ? value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? "null"
                    : value?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null");
                i += match.Length - 1;
                continue;
            }

            if (c == '"' && (i == 0 || template[i - 1] != '\\'))
            {
                inString = !inString;
            }

            output.Append(c);
        }

        return output.ToString();
    }

    private static List<string> PlaceholdersInsideStrings(string template)
    {
        var found = new List<string>();
        var inString = false;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '"' && (i == 0 || template[i - 1] != '\\'))
            {
                inString = !inString;
            }
            else if (inString && Placeholder().Match(template, i) is { Success: true } match && match.Index == i)
            {
                found.Add(match.Value);
            }
        }

        return found;
    }

    [GeneratedRegex(@"<([A-Za-z0-9_.-]+)>")]
    private static partial Regex Placeholder();
}
