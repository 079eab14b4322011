using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoEtl.Report;

namespace CryptoEtl.Server;

/// <summary>
/// The web console's pages, rendered on the server: no script at all (the pages work under a CSP
/// of script-src 'none'); a running execution's page reloads itself with a meta refresh. Every
/// text from data (names, inputs, outputs, errors) goes through <see cref="E"/>.
/// </summary>
public static class ConsolePages
{
    public const string DefaultInput = """{"pages": 2}""";

    /// <summary>A state machine's home page: "/" for the first one.</summary>
    public static string HomePath(ExecutionService executions, LocalStateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(executions);
        ArgumentNullException.ThrowIfNull(machine);
        return machine == executions.Machine ? "/" : "/?machine=" + Uri.EscapeDataString(machine.Name);
    }

    /// <summary>
    /// The home page; <c>unsaved</c> lists the executions whose record could not be saved (a full
    /// disk), with the error, retried meanwhile.
    /// </summary>
    public static string Home(
        ExecutionService executions, IReadOnlyList<ExecutionRecord> list, string? error = null, string? name = null, string? input = null, IReadOnlyDictionary<string, string>? unsaved = null,
        LocalStateMachine? machine = null)
    {
        ArgumentNullException.ThrowIfNull(executions);
        ArgumentNullException.ThrowIfNull(list);
        machine ??= executions.Machine;
        var body = new StringBuilder();
        if (executions.Machines.Count > 1)
        {
            body.Append("<p id=\"machines\">State machines: ").AppendJoin(" | ", executions.Machines.Select(m => m == machine
                ? $"<b>{E(m.Name)}</b>"
                : $"<a href=\"{E(HomePath(executions, m))}\">{E(m.Name)}</a>")).Append("</p>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h1>{E(machine.Name)}</h1><p class=\"arn\">{E(machine.Arn)}</p>");
        body.Append("<div class=\"columns\"><section class=\"graph-panel\"><h2>Graph</h2>")
            .Append(machine.Graph.ToSvg(_ => null))
            .Append("</section><section>");
        if (unsaved is { Count: > 0 })
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"unsaved\">{unsaved.Count} execution record(s) could not be saved and are retried; a restart now would lose their latest state: ");
            body.AppendJoin("; ", unsaved.Select(u => $"{Name(u.Key)}: {E(u.Value)}")).Append("</p>");
        }

        body.Append("<h2>Start execution</h2>");
        if (error is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"start-error\">{E(error)}</p>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/executions" id="start-form">
            <input type="hidden" name="machine" value="{E(machine.Name)}">
            <label for="name">Name (optional)</label><input id="name" name="name" value="{E(name ?? "")}" maxlength="80" placeholder="a new id if empty">
            <label for="input">Input</label><textarea id="input" name="input" rows="5" spellcheck="false">{E(input ?? machine.DefaultInput)}</textarea>
            <button type="submit" id="start">Start execution</button>
            </form>
            """);
        body.Append(CultureInfo.InvariantCulture, $"<h2>Executions ({list.Count})</h2><table class=\"executions\"><thead><tr><th>Name</th><th>Status</th><th>Started</th><th>Ended</th></tr></thead><tbody>");
        foreach (var record in list)
        {
            body.Append(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"{E(ExecutionPath(record.Name))}\">{Name(record.Name)}</a></td><td><span class=\"status {E(record.Status.ToLowerInvariant())}\">{E(record.Status)}</span></td><td>{Time(record.StartDate)}</td><td>{Time(record.StopDate)}</td></tr>");
        }

        body.Append("</tbody></table></section></div>");
        return Layout(machine.Name, body.ToString());
    }

    /// <summary>The execution's status, times, the running state's progress, the stop button and the error.</summary>
    private static void AppendSummary(StringBuilder body, ExecutionRecord record, (string State, DateTimeOffset Since)? current, DateTimeOffset now, string? extractProgress)
    {
        body.Append(CultureInfo.InvariantCulture, $"<p>Status <span class=\"status {E(record.Status.ToLowerInvariant())}\" id=\"execution-status\">{E(record.Status)}</span> started {Time(record.StartDate)}");
        if (record.StopDate is { } stop)
        {
            body.Append(CultureInfo.InvariantCulture, $", ended {Time(stop)} ({Seconds(stop - record.StartDate)} s)");
        }

        body.Append("</p>");
        if (current is { } now_)
        {
            // The current state, how long it has run, and Extract's pages and coins in the terminal's words.
            var detail = extractProgress is null ? "" : $": <span id=\"extract-progress\">{E(extractProgress)}</span>";
            body.Append(CultureInfo.InvariantCulture, $"<p id=\"progress\" data-state=\"{E(now_.State)}\">Running <b>{E(now_.State)}</b> for {Seconds(now - now_.Since)} s{detail}</p>");
        }

        if (record.Status == ExecutionService.Running)
        {
            body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{E(ExecutionPath(record.Name))}/stop\"><button type=\"submit\" id=\"stop\">Stop execution</button></form>");
        }

        if (record.Error is not null || record.Cause is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\">{E(record.Error ?? "")}: {E(record.Cause ?? "")}</p>");
        }

        if (record.StopOutcome is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p id=\"stop-outcome\">{E(record.StopOutcome)}</p>");
        }
    }

    /// <summary>
    /// An execution's page; <c>extractProgress</c> is the running Extract's progress in words, as the
    /// terminal shows it (null outside Extract).
    /// </summary>
    public static string Execution(ExecutionService executions, ExecutionRecord record, (string State, DateTimeOffset Since)? current, DateTimeOffset now, string? extractProgress = null)
    {
        ArgumentNullException.ThrowIfNull(executions);
        ArgumentNullException.ThrowIfNull(record);
        var states = StatesOf(record);
        var machine = executions.MachineOf(record);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(HomePath(executions, machine))}\">&larr; {E(machine.Name)}</a></p><h1>{Name(record.Name)}</h1>");
        AppendSummary(body, record, current, now, extractProgress);
        body.Append("<div class=\"columns\"><section class=\"graph-panel\"><h2>Graph</h2>")
            .Append(machine.Graph.ToSvg(name => states.TryGetValue(name, out var s) ? s.Status : null))
            .Append("</section><section><h2>States</h2>");
        foreach (var node in machine.Graph.Nodes.Where(n => states.ContainsKey(n.Name)))
        {
            var s = states[node.Name];
            body.Append(CultureInfo.InvariantCulture, $"<details class=\"state-io\" data-state=\"{E(node.Name)}\"><summary><span class=\"status {E(s.Status)}\">{E(s.Status)}</span> {E(node.Name)}</summary>");
            body.Append(CultureInfo.InvariantCulture, $"<h3>Input</h3><pre>{E(Pretty(s.Input))}</pre><h3>Output</h3><pre>{E(Pretty(s.Output))}</pre></details>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h2>Execution input</h2><pre>{E(Pretty(record.Input))}</pre>");
        if (record.Output is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>Execution output</h2><pre id=\"execution-output\">{E(Pretty(record.Output))}</pre>");
        }

        body.Append("</section></div><h2>Event history</h2><table class=\"history\"><thead><tr><th>ID</th><th>Type</th><th>Step</th><th>Elapsed (ms)</th><th>Timestamp</th><th>Details</th></tr></thead><tbody>");
        var inState = "";
        foreach (var e in record.Events)
        {
            var details = JsonSerializer.SerializeToNode(e, StepFunctionsJsonContext.Default.HistoryEvent)!.AsObject();
            details.Remove("timestamp");
            details.Remove("type");
            details.Remove("id");
            details.Remove("previousEventId");
            // Task events belong to the state entered last, as the AWS console's Step column shows.
            var step = e.StateEnteredEventDetails?.Name ?? e.StateExitedEventDetails?.Name ?? (e.Type.StartsWith("Execution", StringComparison.Ordinal) ? "" : inState);
            inState = e.StateEnteredEventDetails?.Name ?? inState;
            body.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"event\" data-type=\"{E(e.Type)}\"><td>{e.Id}</td><td>{E(e.Type)}</td><td>{E(step)}</td><td>{(e.Timestamp - record.StartDate).TotalMilliseconds:0}</td><td>{Time(e.Timestamp)}</td><td><details><summary>details</summary><pre>{E(details.ToJsonString(Indented))}</pre></details></td></tr>");
        }

        body.Append("</tbody></table>");
        return Layout(record.Name, body.ToString(), record.Status == ExecutionService.Running ? 1 : null);
    }

    /// <summary>The report page: the snapshot's time, the Refresh button, and the report itself in a frame.</summary>
    public static string Report(ReportData? data, DateTimeOffset? builtAt, string? error)
    {
        var body = new StringBuilder("<h1>Market report</h1>");
        body.Append("<form method=\"post\" action=\"/report/refresh\"><button type=\"submit\" id=\"refresh\">Refresh data</button></form>");
        if (error is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"report-error\">{E(error)}</p>");
        }

        if (data is not null)
        {
            body.Append(CultureInfo.InvariantCulture,
                $"<p>Snapshot <time id=\"snapshot-time\" datetime=\"{E(data.Latest.FetchTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}\">{Time(data.Latest.FetchTime)}</time>, read from the warehouse {Time(builtAt)}</p>");
            body.Append("<iframe src=\"/report/market.html\" title=\"market report\" class=\"report\"></iframe>");
        }

        return Layout("Market report", body.ToString());
    }

    public static string Message(string title, string text) =>
        Layout(title, $"<h1>{E(title)}</h1><p>{E(text)}</p><p><a href=\"/\">Back to the console</a></p>");

    public static string ExecutionPath(string name) => "/executions/" + Uri.EscapeDataString(name);

    /// <summary>HTML-escapes text from data, quotes included (safe in attributes).</summary>
    public static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// An execution name, escaped and isolated: AWS's name rule allows bidi controls (U+202E and
    /// the like), which would otherwise reorder the text around the name (HTML's bdi element).
    /// </summary>
    public static string Name(string name) => $"<bdi>{E(name)}</bdi>";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, TypeInfoResolver = StepFunctionsJsonContext.Default };

    private static string Layout(string title, string body, int? refreshSeconds = null) =>
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} - CryptoEtl console</title><link rel="stylesheet" href="/console.css">{(refreshSeconds is { } s ? $"<meta http-equiv=\"refresh\" content=\"{s}\">" : "")}
        </head><body><header><a href="/" class="brand">CryptoEtl console</a><nav><a href="/">State machine</a><a href="/report">Market report</a></nav></header>
        <main>{body}</main><footer>Local Step Functions API on this address; data provided by CoinGecko.</footer></body></html>
        """;

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? E(t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture)) : "";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Pretty(string? json)
    {
        if (json is null)
        {
            return "";
        }

        try
        {
            return JsonNode.Parse(json)?.ToJsonString(Indented) ?? "null";
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>Each reached state's status (running, succeeded, caught, failed, aborted) and its last input and output.</summary>
    private static Dictionary<string, (string Status, string? Input, string? Output)> StatesOf(ExecutionRecord record)
    {
        var states = new Dictionary<string, (string Status, string? Input, string? Output)>(StringComparer.Ordinal);
        string? current = null;
        var failedHere = false;
        foreach (var e in record.Events)
        {
            if (e.StateEnteredEventDetails is { } entered)
            {
                current = entered.Name;
                failedHere = false;
                states[current] = (e.Type == "FailStateEntered" ? "failed" : "running", entered.Input, null);
            }
            else if (e.TaskFailedEventDetails is not null)
            {
                failedHere = true;
            }
            else if (e.StateExitedEventDetails is { } exited && states.TryGetValue(exited.Name, out var s))
            {
                states[exited.Name] = (failedHere ? "caught" : "succeeded", s.Input, exited.Output);
                current = null;
            }
        }

        if (current is not null && states[current].Status == "running" && record.Status != ExecutionService.Running)
        {
            var s = states[current];
            states[current] = (record.Status == ExecutionService.Aborted ? "aborted" : "failed", s.Input, s.Output);
        }

        return states;
    }
}
