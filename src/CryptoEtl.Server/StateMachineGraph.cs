using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CryptoEtl.Server;

/// <summary>
/// The state machine drawn as an SVG, laid out from the ASL: each state on the row after its
/// deepest predecessor (longest path from StartAt), Next edges solid, Catch edges dashed. Drawn on
/// the server so the page needs no script; colours come from the stylesheet by class.
/// </summary>
public sealed class StateMachineGraph
{
    private const int NodeWidth = 170;
    private const int NodeHeight = 34;
    private const int ColumnGap = 40;
    private const int RowGap = 30;
    private const int Margin = 12;

    private StateMachineGraph(IReadOnlyList<Node> nodes, IReadOnlyList<Edge> edges)
    {
        Nodes = nodes;
        Edges = edges;
    }

    public IReadOnlyList<Node> Nodes { get; }

    public IReadOnlyList<Edge> Edges { get; }

    public static StateMachineGraph FromAsl(string aslText)
    {
        var root = JsonNode.Parse(aslText)!.AsObject();
        var states = root["States"]!.AsObject();
        var startAt = (string)root["StartAt"]!;
        var edges = new List<Edge>();
        foreach (var (name, node) in states)
        {
            if (node?["Next"] is JsonValue next)
            {
                edges.Add(new Edge(name, (string)next!, false));
            }

            foreach (var catcher in node?["Catch"]?.AsArray() ?? [])
            {
                edges.Add(new Edge(name, (string)catcher!["Next"]!, true));
            }
        }

        var row = Rows(startAt, states.Count, edges);

        // Column 0 is the happy path; catch targets, and states reached only from them, go to the right.
        var nodes = new List<Node>();
        var columnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var fileOrder = states.Select(s => s.Key).ToList();
        foreach (var group in row.GroupBy(r => r.Value).OrderBy(g => g.Key))
        {
            var taken = new HashSet<int>();
            foreach (var name in group.Select(g => g.Key).OrderBy(fileOrder.IndexOf))
            {
                var incoming = edges.Where(e => e.To == name && columnOf.ContainsKey(e.From)).ToList();
                var aside = incoming.Count > 0 && incoming.All(e => e.Catch || columnOf[e.From] >= 1);
                var column = aside ? 1 : 0;
                while (!taken.Add(column))
                {
                    column++;
                }

                columnOf[name] = column;
                nodes.Add(new Node(name, (string)states[name]!["Type"]!, group.Key, column));
            }
        }

        return new StateMachineGraph(nodes, edges);
    }

    /// <summary>Each reachable state's row: its longest path from the start; a cycle (none in a DAG like ours) stops growing after one pass per state.</summary>
    private static Dictionary<string, int> Rows(string startAt, int stateCount, List<Edge> edges)
    {
        var row = new Dictionary<string, int>(StringComparer.Ordinal) { [startAt] = 0 };
        for (var pass = 0; pass < stateCount; pass++)
        {
            var changed = false;
            foreach (var edge in edges.Where(e => row.ContainsKey(e.From)))
            {
                var candidate = row[edge.From] + 1;
                if (!row.TryGetValue(edge.To, out var current) || current < candidate)
                {
                    row[edge.To] = candidate;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return row;
    }

    /// <summary>
    /// The SVG; <paramref name="statusOf"/> gives a state's CSS status (succeeded, failed, caught,
    /// running) or null for not reached.
    /// </summary>
    public string ToSvg(Func<string, string?> statusOf)
    {
        ArgumentNullException.ThrowIfNull(statusOf);
        var columns = Nodes.Count == 0 ? 1 : Nodes.Max(n => n.Column) + 1;
        var rows = Nodes.Count == 0 ? 1 : Nodes.Max(n => n.Row) + 1;
        var width = (2 * Margin) + (columns * NodeWidth) + ((columns - 1) * ColumnGap);
        var height = (2 * Margin) + (rows * NodeHeight) + ((rows - 1) * RowGap);
        var byName = Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"state machine graph\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/></marker></defs>");
        foreach (var edge in Edges.Where(e => byName.ContainsKey(e.From) && byName.ContainsKey(e.To)))
        {
            var (x1, y1) = Bottom(byName[edge.From]);
            var (x2, y2) = Top(byName[edge.To]);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"edge{(edge.Catch ? " catch" : "")}\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" marker-end=\"url(#arrow)\"/>");
        }

        foreach (var node in Nodes)
        {
            var x = Margin + (node.Column * (NodeWidth + ColumnGap));
            var y = Margin + (node.Row * (NodeHeight + RowGap));
            var status = statusOf(node.Name) ?? "idle";
            var name = WebUtility.HtmlEncode(node.Name);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"state {WebUtility.HtmlEncode(status)}\" data-state=\"{name}\" data-status=\"{WebUtility.HtmlEncode(status)}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"6\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (NodeWidth / 2)}\" y=\"{y + 15}\">{name}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"type\" x=\"{x + (NodeWidth / 2)}\" y=\"{y + 28}\">{WebUtility.HtmlEncode(node.Type)}</text></g>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static (int X, int Y) Top(Node node) =>
        (Margin + (node.Column * (NodeWidth + ColumnGap)) + (NodeWidth / 2), Margin + (node.Row * (NodeHeight + RowGap)));

    private static (int X, int Y) Bottom(Node node) =>
        (Margin + (node.Column * (NodeWidth + ColumnGap)) + (NodeWidth / 2), Margin + (node.Row * (NodeHeight + RowGap)) + NodeHeight);

    public sealed record Node(string Name, string Type, int Row, int Column);

    public sealed record Edge(string From, string To, bool Catch);
}
