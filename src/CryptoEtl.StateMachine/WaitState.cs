using System.Text.Json.Nodes;
using static CryptoEtl.StateMachine.StateMachineDefinition;

namespace CryptoEtl.StateMachine;

/// <summary>A Wait state with Seconds or SecondsPath (Timestamp and TimestampPath are refused at load).</summary>
internal sealed class WaitState : State
{
    private static readonly HashSet<string> Fields = ["Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath"];

    public WaitState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: false)
    {
        foreach (var field in new[] { "Timestamp", "TimestampPath" })
        {
            if (node.ContainsKey(field))
            {
                throw Invalid($"{where}.{field}", "is not supported by the local runner (use Seconds or SecondsPath)");
            }
        }

        CheckFields(node, Fields, where);
        if (node.ContainsKey("Seconds") == node.ContainsKey("SecondsPath"))
        {
            throw Invalid(where, "needs exactly one of Seconds or SecondsPath");
        }

        if (node.ContainsKey("Seconds"))
        {
            Seconds = node["Seconds"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<int>(out var s) && s >= 0
                ? s
                : throw Invalid($"{where}.Seconds", "must be a non-negative integer");
        }
        else
        {
            SecondsPath = JsonPath.Parse(RequiredString(node, "SecondsPath", where), $"{where}.SecondsPath", referenceOnly: true);
        }
    }

    public int? Seconds { get; }

    public JsonPath? SecondsPath { get; }
}
