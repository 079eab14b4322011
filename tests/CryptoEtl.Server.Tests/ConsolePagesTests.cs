using CryptoEtl.Cli;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>The console's pages escape every text that comes from data (names, inputs, outputs, errors).</summary>
public sealed class ConsolePagesTests
{
    private const string Markup = "<script>alert(1)</script><img src=x onerror=alert(2)>";

    [Fact]
    public async Task Inputs_outputs_and_errors_from_data_are_escaped_on_the_execution_and_home_pages()
    {
        using var data = new TempDirectory();
        await using var server = await ServeCommand.StartAsync(new PipelineSettings { DataDir = data.FullPath, Offline = true },
            new ConsoleServerOptions { Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Null), CancellationToken.None);
        var executions = server.Executions;
        var record = new ExecutionRecord
        {
            Name = "escape",
            ExecutionArn = executions.Machine.ExecutionArn("escape"),
            Input = $$"""{"vs_currency":"{{Markup.Replace("\"", "\\\"", StringComparison.Ordinal)}}"}""",
            Status = "FAILED",
            StartDate = DateTimeOffset.UnixEpoch,
            StopDate = DateTimeOffset.UnixEpoch.AddSeconds(1),
            Error = Markup,
            Cause = Markup,
            Output = null,
        };

        var html = ConsolePages.Execution(executions, record, null, DateTimeOffset.UnixEpoch) + ConsolePages.Home(executions, [record], Markup, Markup, Markup);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_graph_draws_every_state_of_the_asl_once_with_next_and_catch_edges()
    {
        var asl = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crypto_etl.asl.json"));
        var graph = StateMachineGraph.FromAsl(asl);

        // statemachine/crypto_etl.asl.json: 9 states; 7 Next edges (every state but Load, End, and Failed, a Fail);
        // a Catch on each of the three steps.
        Assert.Equal(9, graph.Nodes.Select(n => n.Name).Distinct().Count());
        Assert.Equal(7, graph.Edges.Count(e => !e.Catch));
        Assert.Equal(["Extract->ExtractFailed", "Load->LoadFailed", "Transform->TransformFailed"],
            graph.Edges.Where(e => e.Catch).Select(e => $"{e.From}->{e.To}").Order(StringComparer.Ordinal));
        // The happy path is the left column, top to bottom.
        Assert.Equal(["Defaults", "MergeInput", "Extract", "Transform", "Load"],
            graph.Nodes.Where(n => n.Column == 0).OrderBy(n => n.Row).Select(n => n.Name).Take(5));
        var svg = graph.ToSvg(name => name == "Extract" ? "running" : null);
        Assert.Contains("data-state=\"Extract\" data-status=\"running\"", svg, StringComparison.Ordinal);
        Assert.Equal(9, svg.Split("<g class=\"state ").Length - 1);
    }

    [Fact]
    public async Task A_running_extract_shows_its_pages_and_coins_escaped_on_the_execution_page()
    {
        using var data = new TempDirectory();
        await using var server = await ServeCommand.StartAsync(new PipelineSettings { DataDir = data.FullPath, Offline = true },
            new ConsoleServerOptions { Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Null), CancellationToken.None);
        var started = DateTimeOffset.UnixEpoch;
        var record = new ExecutionRecord
        {
            Name = "running",
            ExecutionArn = server.Executions.Machine.ExecutionArn("running"),
            Input = "{}",
            Status = ExecutionService.Running,
            StartDate = started,
            StopDate = null,
            Error = null,
            Cause = null,
            Output = null,
        };

        var html = ConsolePages.Execution(server.Executions, record, ("Extract", started), started.AddSeconds(12), "2 of 70 pages, 500 coins; " + Markup);

        Assert.Contains("Running <b>Extract</b> for 12", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"extract-progress\">2 of 70 pages, 500 coins; &lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }
}
