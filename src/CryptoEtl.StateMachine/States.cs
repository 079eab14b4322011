using System.Text.Json.Nodes;
using static CryptoEtl.StateMachine.StateMachineDefinition;

namespace CryptoEtl.StateMachine;

internal abstract class State
{
    private static readonly HashSet<string> PassFields = ["Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Parameters", "Result", "ResultPath"];
    private static readonly HashSet<string> TaskFields = ["Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds"];
    private static readonly HashSet<string> SucceedFields = ["Type", "Comment", "QueryLanguage", "InputPath", "OutputPath"];
    private static readonly HashSet<string> FailFields = ["Type", "Comment", "QueryLanguage", "Error", "Cause", "ErrorPath", "CausePath"];

    protected State(string name, JsonObject node, string where, bool terminal)
    {
        Name = name;
        CheckQueryLanguage(node, where);

        if (terminal)
        {
            return;
        }

        var next = OptionalString(node, "Next", where);
        var end = node["End"] is JsonValue e && e.TryGetValue<bool>(out var isEnd) && isEnd;
        if ((next is null) == !end)
        {
            throw Invalid(where, "needs exactly one of Next or \"End\": true");
        }

        Next = next;
        InputPath = OptionalPath(node, "InputPath", where);
        OutputPath = OptionalPath(node, "OutputPath", where);
    }

    public string Name { get; }

    /// <summary>The next state, or null for an End state.</summary>
    public string? Next { get; }

    /// <summary>Null: the field is absent ($). <see cref="NullPath"/>: JSON null, which means {}.</summary>
    public JsonPath? InputPath { get; protected init; }

    public JsonPath? OutputPath { get; protected init; }

    public virtual IEnumerable<string> Transitions => Next is null ? [] : [Next];

    public static State Parse(string name, JsonObject node)
    {
        var where = $"States.{name}";
        var type = RequiredString(node, "Type", where);
        var fields = type switch
        {
            "Pass" => PassFields,
            "Task" => TaskFields,
            "Succeed" => SucceedFields,
            "Fail" => FailFields,
            "Map" or "Wait" => null, // their constructors check their fields
            _ => throw Invalid($"{where}.Type", $"state type \"{type}\" is not supported by the local runner (supported: Pass, Task, Map, Wait, Succeed, Fail)"),
        };
        if (fields is not null)
        {
            CheckFields(node, fields, where);
        }

        return type switch
        {
            "Pass" => new PassState(name, node, where),
            "Task" => new TaskState(name, node, where),
            "Map" => new MapState(name, node, where),
            "Wait" => new WaitState(name, node, where),
            "Succeed" => new SucceedState(name, node, where),
            _ => new FailState(name, node, where),
        };
    }

    /// <summary>Stands for a path field set to JSON null (InputPath/OutputPath null: {}; ResultPath null: keep the input).</summary>
    public static readonly JsonPath NullPath = JsonPath.Parse("$", "null");

    internal static JsonPath? OptionalPath(JsonObject node, string field, string where, bool referenceOnly = false)
    {
        if (!node.TryGetPropertyValue(field, out var value))
        {
            return null;
        }

        return value is null ? NullPath : JsonPath.Parse(OptionalString(node, field, where)!, $"{where}.{field}", referenceOnly);
    }
}

internal sealed class PassState : State
{
    public PassState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: false)
    {
        Parameters = node.ContainsKey("Parameters") ? Expression.CompileTemplate(node["Parameters"], $"{where}.Parameters") : null;
        Result = node.ContainsKey("Result") ? node["Result"]?.DeepClone() : null;
        HasResult = node.ContainsKey("Result");
        ResultPath = OptionalPath(node, "ResultPath", where, referenceOnly: true);
    }

    public Expression? Parameters { get; }

    public JsonNode? Result { get; }

    public bool HasResult { get; }

    public JsonPath? ResultPath { get; }
}

internal sealed class SucceedState : State
{
    public SucceedState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: true)
    {
        InputPath = OptionalPath(node, "InputPath", where);
        OutputPath = OptionalPath(node, "OutputPath", where);
    }
}

internal sealed class FailState : State
{
    public FailState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: true)
    {
        Error = Describe(node, "Error", "ErrorPath", where);
        Cause = Describe(node, "Cause", "CausePath", where);
    }

    public Expression? Error { get; }

    public Expression? Cause { get; }

    private static Expression? Describe(JsonObject node, string literal, string path, string where)
    {
        if (node.ContainsKey(literal) && node.ContainsKey(path))
        {
            throw Invalid(where, $"use {literal} or {path}, not both");
        }

        if (OptionalString(node, literal, where) is { } text)
        {
            return new LiteralExpression(JsonValue.Create(text));
        }

        return OptionalString(node, path, where) is { } dynamic ? Expression.CompileDynamic(dynamic, $"{where}.{path}", path) : null;
    }
}

internal sealed class TaskState : State
{
    private static readonly HashSet<string> LambdaParameters = ["FunctionName", "Payload", "Payload.$"];
    private static readonly HashSet<string> SnsParameters = ["TopicArn", "Message", "Message.$", "Subject", "Subject.$"];

    public TaskState(string name, JsonObject node, string where)
        : base(name, node, where, terminal: false)
    {
        Resource = RequiredString(node, "Resource", where);
        if (node["Parameters"] is not JsonObject parameters)
        {
            throw Invalid($"{where}.Parameters", $"is required for {Resource}");
        }

        switch (Resource)
        {
            case LambdaInvoke:
                CheckFields(parameters, LambdaParameters, $"{where}.Parameters");
                var function = RequiredString(parameters, "FunctionName", $"{where}.Parameters");
                var match = PlaceholderPattern().Match(function);
                if (!match.Success || match.Length != function.Length)
                {
                    throw Invalid($"{where}.Parameters.FunctionName", $"\"{function}\" must be a ${{Name}} placeholder the local runner maps to an in-process handler");
                }

                FunctionPlaceholder = match.Groups[1].Value;
                break;
            case SnsPublish:
                CheckFields(parameters, SnsParameters, $"{where}.Parameters");
                RequiredString(parameters, "TopicArn", $"{where}.Parameters");
                if (!parameters.ContainsKey("Message") && !parameters.ContainsKey("Message.$"))
                {
                    throw Invalid($"{where}.Parameters.Message", "is required");
                }

                break;
            default:
                throw Invalid($"{where}.Resource", $"\"{Resource}\" is not supported by the local runner (supported: {LambdaInvoke}, {SnsPublish})");
        }

        Parameters = Expression.CompileTemplate(parameters, $"{where}.Parameters");
        ResultSelector = node.ContainsKey("ResultSelector") ? Expression.CompileTemplate(node["ResultSelector"], $"{where}.ResultSelector") : null;
        ResultPath = OptionalPath(node, "ResultPath", where, referenceOnly: true);
        Retry = ParseList(node, "Retry", where, (item, at) => new Retrier(item, at));
        Catch = ParseList(node, "Catch", where, (item, at) => new Catcher(item, at));
        TimeoutSeconds = OptionalTimeout(node, where);
    }

    /// <summary>Each attempt's limit: past it the attempt fails with States.Timeout; null is AWS's default (99999999 s).</summary>
    public int? TimeoutSeconds { get; }

    public string Resource { get; }

    /// <summary>For lambda:invoke: the placeholder name in FunctionName (e.g. ExtractFunctionArn).</summary>
    public string? FunctionPlaceholder { get; }

    public Expression Parameters { get; }

    public Expression? ResultSelector { get; }

    public JsonPath? ResultPath { get; }

    public IReadOnlyList<Retrier> Retry { get; }

    public IReadOnlyList<Catcher> Catch { get; }

    public override IEnumerable<string> Transitions => base.Transitions.Concat(Catch.Select(c => c.Next));

    internal static List<T> ParseList<T>(JsonObject node, string field, string where, Func<JsonObject, string, T> parse)
    {
        if (node[field] is null)
        {
            return [];
        }

        if (node[field] is not JsonArray array)
        {
            throw Invalid($"{where}.{field}", "must be an array");
        }

        return [.. array.Select((item, i) => parse(item as JsonObject ?? throw Invalid($"{where}.{field}[{i}]", "must be an object"), $"{where}.{field}[{i}]"))];
    }
}

internal static class ErrorEqualsList
{
    public static IReadOnlyList<string> Parse(JsonObject node, string where)
    {
        if (node["ErrorEquals"] is not JsonArray array || array.Count == 0)
        {
            throw Invalid($"{where}.ErrorEquals", "must be a non-empty array of error names");
        }

        var names = array.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Invalid($"{where}.ErrorEquals", "must hold strings")).ToList();
        if (names.Contains(StatesErrors.All) && names.Count > 1)
        {
            throw Invalid($"{where}.ErrorEquals", "States.ALL must appear alone");
        }

        return names;
    }
}

/// <summary>One Retry entry; defaults as in the ASL spec (1 s, 3 attempts, rate 2.0).</summary>
internal sealed class Retrier
{
    private static readonly HashSet<string> Fields = ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"];

    public Retrier(JsonObject node, string where)
    {
        CheckFields(node, Fields, where);
        ErrorEquals = ErrorEqualsList.Parse(node, where);
        IntervalSeconds = Integer(node, "IntervalSeconds", where, 1, min: 1);
        MaxAttempts = Integer(node, "MaxAttempts", where, 3, min: 0);
        BackoffRate = Number(node, "BackoffRate", where, 2.0, min: 1);
        MaxDelaySeconds = node.ContainsKey("MaxDelaySeconds") ? Integer(node, "MaxDelaySeconds", where, 0, min: 1) : null;
        FullJitter = OptionalString(node, "JitterStrategy", where) switch
        {
            null or "NONE" => false,
            "FULL" => true,
            var other => throw Invalid($"{where}.JitterStrategy", $"\"{other}\" is not FULL or NONE"),
        };
    }

    public IReadOnlyList<string> ErrorEquals { get; }

    public int IntervalSeconds { get; }

    public int MaxAttempts { get; }

    public double BackoffRate { get; }

    public int? MaxDelaySeconds { get; }

    public bool FullJitter { get; }

    public bool Matches(string error) => ErrorEquals.Any(pattern => StatesErrors.Matches(pattern, error));

    /// <summary>The wait before retry number <paramref name="retry"/> (0 = the first retry).</summary>
    public TimeSpan Delay(int retry, Random random)
    {
        var seconds = IntervalSeconds * Math.Pow(BackoffRate, retry);
        if (MaxDelaySeconds is { } max)
        {
            seconds = Math.Min(seconds, max);
        }

        if (FullJitter)
        {
            seconds *= random.NextDouble();
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// IntervalSeconds, MaxAttempts and MaxDelaySeconds are integers: CreateStateMachine rejects 1.5
    /// (ASL spec, "Retrying after error": "positive integers"; moto 5.2.1's ASL grammar: "expecting INT").
    /// </summary>
    private static int Integer(JsonObject node, string field, string where, int fallback, int min)
    {
        if (node[field] is null)
        {
            return fallback;
        }

        var value = node[field] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<int>(out var i)
            ? i : throw Invalid($"{where}.{field}", "must be an integer");
        return value >= min ? value : throw Invalid($"{where}.{field}", $"must be at least {min}");
    }

    private static double Number(JsonObject node, string field, string where, double fallback, double min)
    {
        if (node[field] is null)
        {
            return fallback;
        }

        var value = node[field] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw Invalid($"{where}.{field}", "must be a number");
        return value >= min ? value : throw Invalid($"{where}.{field}", $"must be at least {min}");
    }
}

internal sealed class Catcher
{
    private static readonly HashSet<string> Fields = ["ErrorEquals", "Next", "ResultPath", "Comment"];

    public Catcher(JsonObject node, string where)
    {
        CheckFields(node, Fields, where);
        ErrorEquals = ErrorEqualsList.Parse(node, where);
        Next = RequiredString(node, "Next", where);
        ResultPath = State.OptionalPath(node, "ResultPath", where, referenceOnly: true);
    }

    public IReadOnlyList<string> ErrorEquals { get; }

    public string Next { get; }

    public JsonPath? ResultPath { get; }

    public bool Matches(string error) => ErrorEquals.Any(pattern => StatesErrors.Matches(pattern, error));
}
