using System.Text.Json.Nodes;
using static CryptoEtl.StateMachine.StateMachineDefinition;

namespace CryptoEtl.StateMachine;

/// <summary>
/// A Map state in inline mode: InputPath, then ItemsPath picks the array; each item (through
/// ItemSelector, or the legacy Parameters, with $$.Map.Item.Index and $$.Map.Item.Value) runs the
/// ItemProcessor's (or the legacy Iterator's) states; the results, in item order, go through
/// ResultSelector, ResultPath and OutputPath; Retry and Catch apply to the whole Map. The Distributed
/// mode's fields are refused here, at load, rather than ignored.
/// </summary>
internal sealed class MapState : State
{
    private static readonly HashSet<string> Fields =
    [
        "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ItemsPath", "ItemSelector", "Parameters",
        "ItemProcessor", "Iterator", "MaxConcurrency", "ResultSelector", "ResultPath", "Retry", "Catch",
    ];

    /// <summary>Map fields AWS knows that the local runner does not run (all but MaxConcurrencyPath belong to Distributed mode).</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["ItemReader"] = "reading items from S3 is Distributed mode",
        ["ItemBatcher"] = "batching items is Distributed mode",
        ["ResultWriter"] = "writing results to S3 is Distributed mode",
        ["ToleratedFailureCount"] = "tolerated failures are Distributed mode",
        ["ToleratedFailureCountPath"] = "tolerated failures are Distributed mode",
        ["ToleratedFailurePercentage"] = "tolerated failures are Distributed mode",
        ["ToleratedFailurePercentagePath"] = "tolerated failures are Distributed mode",
        ["Label"] = "a Map Run label is Distributed mode",
        ["MaxConcurrencyPath"] = "only a literal MaxConcurrency is supported",
    };

    private static readonly HashSet<string> ProcessorFields = ["Comment", "StartAt", "States", "ProcessorConfig"];

    public MapState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: false)
    {
        foreach (var (field, why) in Refused)
        {
            if (node.ContainsKey(field))
            {
                throw Invalid($"{where}.{field}", $"is not supported by the local runner ({why}; it runs Map in INLINE mode only)");
            }
        }

        CheckFields(node, Fields, where);
        ItemsPath = OptionalPath(node, "ItemsPath", where, referenceOnly: true);
        if (ReferenceEquals(ItemsPath, NullPath))
        {
            throw Invalid($"{where}.ItemsPath", "must be a reference path, not null");
        }

        if (node.ContainsKey("ItemSelector") && node.ContainsKey("Parameters"))
        {
            throw Invalid(where, "use ItemSelector or the legacy Parameters, not both");
        }

        var selectorField = node.ContainsKey("ItemSelector") ? "ItemSelector" : "Parameters";
        ItemSelector = node.ContainsKey(selectorField) ? Expression.CompileTemplate(node[selectorField], $"{where}.{selectorField}") : null;

        if (node.ContainsKey("ItemProcessor") == node.ContainsKey("Iterator"))
        {
            throw Invalid(where, "needs exactly one of ItemProcessor or the legacy Iterator");
        }

        var processorField = node.ContainsKey("ItemProcessor") ? "ItemProcessor" : "Iterator";
        Processor = ParseProcessor(node[processorField] as JsonObject ?? throw Invalid($"{where}.{processorField}", "must be an object"), $"{where}.{processorField}");

        MaxConcurrency = node["MaxConcurrency"] switch
        {
            null => 0,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<int>(out var n) && n >= 0 => n,
            var other => throw Invalid($"{where}.MaxConcurrency", $"must be a non-negative integer (0: no limit), not {other.ToJsonString()}"),
        };

        ResultSelector = node.ContainsKey("ResultSelector") ? Expression.CompileTemplate(node["ResultSelector"], $"{where}.ResultSelector") : null;
        ResultPath = OptionalPath(node, "ResultPath", where, referenceOnly: true);
        Retry = TaskState.ParseList(node, "Retry", where, (item, at) => new Retrier(item, at));
        Catch = TaskState.ParseList(node, "Catch", where, (item, at) => new Catcher(item, at));
    }

    /// <summary>Null: the whole effective input ($).</summary>
    public JsonPath? ItemsPath { get; }

    /// <summary>ItemSelector, or the legacy Parameters; null: each item as it is.</summary>
    public Expression? ItemSelector { get; }

    public StateBranch Processor { get; }

    /// <summary>0: no limit. Iterations run one at a time locally whatever it says (docs/state-machine.md).</summary>
    public int MaxConcurrency { get; }

    public Expression? ResultSelector { get; }

    public JsonPath? ResultPath { get; }

    public IReadOnlyList<Retrier> Retry { get; }

    public IReadOnlyList<Catcher> Catch { get; }

    public override IEnumerable<string> Transitions => base.Transitions.Concat(Catch.Select(c => c.Next));

    private static StateBranch ParseProcessor(JsonObject node, string where)
    {
        CheckFields(node, ProcessorFields, where);
        if (node["ProcessorConfig"] is { } config)
        {
            var configWhere = $"{where}.ProcessorConfig";
            var configObject = config as JsonObject ?? throw Invalid(configWhere, "must be an object");
            CheckFields(configObject, new HashSet<string> { "Mode" }, configWhere);
            var mode = OptionalString(configObject, "Mode", configWhere);
            if (mode is not (null or "INLINE"))
            {
                throw Invalid($"{configWhere}.Mode", mode == "DISTRIBUTED"
                    ? "DISTRIBUTED is not supported by the local runner (only INLINE)"
                    : $"\"{mode}\" is not INLINE or DISTRIBUTED");
            }
        }

        return StateBranch.Parse(node, where);
    }
}

/// <summary>A Map's ItemProcessor (or Iterator): its own StartAt and States; transitions stay inside it.</summary>
internal sealed class StateBranch
{
    private StateBranch(string startAt, IReadOnlyDictionary<string, State> states)
    {
        StartAt = startAt;
        States = states;
    }

    public string StartAt { get; }

    public IReadOnlyDictionary<string, State> States { get; }

    /// <summary>StartAt and States of the definition (<paramref name="where"/> "definition") or of a Map's processor.</summary>
    public static StateBranch Parse(JsonObject node, string where)
    {
        var top = where == "definition";
        var statesWhere = top ? "States" : $"{where}.States";
        var startAt = RequiredString(node, "StartAt", where);
        if (node["States"] is not JsonObject statesNode || statesNode.Count == 0)
        {
            throw Invalid(statesWhere, "must be a non-empty object");
        }

        var states = new Dictionary<string, State>(StringComparer.Ordinal);
        foreach (var (name, child) in statesNode)
        {
            states[name] = State.Parse(name, child as JsonObject ?? throw Invalid($"{statesWhere}.{name}", "must be an object"));
        }

        var scope = top ? "" : $" of this {where[(where.LastIndexOf('.') + 1)..]}";
        foreach (var (name, target) in states.Values.SelectMany(s => s.Transitions.Select(t => (s.Name, t))).Append(("StartAt", startAt)))
        {
            if (!states.ContainsKey(target))
            {
                throw Invalid($"{statesWhere}.{name}", $"goes to \"{target}\", which is not a state{scope}");
            }
        }

        return new StateBranch(startAt, states);
    }

    /// <summary>These states and those of the Maps among them, depth first.</summary>
    public IEnumerable<State> AllStates() =>
        States.Values.SelectMany(s => s is MapState map ? map.Processor.AllStates().Prepend(s) : [s]);
}
