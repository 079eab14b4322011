using System.Text.Json.Nodes;
using CryptoEtl.Cli;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.Report;
using CryptoEtl.StateMachine;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// `serve` hosts crypto_backfill beside crypto_etl (as <see cref="ServeCommand.StateMachines"/> lists them),
/// driven by the real `aws` CLI; the backfill's three functions are fakes speaking the backfill contract.
/// The Map's events are those AWS recorded (LocalStack tests/aws/services/stepfunctions/v2/scenarios/
/// test_base_scenarios.snapshot.json, test_map_state): MapStateEntered, MapStateStarted {length},
/// MapIterationStarted {name, index}, the iteration's states, MapIterationSucceeded, ..., MapStateSucceeded,
/// MapStateExited.
/// </summary>
public sealed class BackfillServeTests
{
    private const string BackfillArn = "arn:aws:states:local:000000000000:stateMachine:crypto_backfill";

    private static string[] Task(string state) =>
        ["TaskStateEntered:" + state, "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited:" + state];

    [SkippableFact]
    public async Task Both_state_machines_are_listed_and_a_backfill_runs_with_AWS_shaped_map_events()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        var data = new TempDirectory();
        var settings = ServeHarness.SettingsFor(data);
        var stderr = new StringWriter();
        var fakes = new JsonArray();
        var machines = ServeCommand.StateMachines(DateTimeOffset.UnixEpoch);
        var backfill = new LocalStateMachine(machines[1].AslText, machines[1].Name, machines[1].CreationDate)
        {
            Functions = Fakes(fakes),
            CheckInput = machines[1].CheckInput,
        };
        var server = await ConsoleServer.StartAsync(new ConsoleServerOptions { Port = 0 }, [machines[0], backfill],
            new NoPipelineHost(), data.FullPath, TimeProvider.System, stderr, CancellationToken.None);
        await using var serve = ServeHarness.Over(data, server, settings, stderr);

        var listed = await serve.AwsJsonAsync("list-state-machines");
        Assert.Equal([serve.StateMachineArn, BackfillArn], listed["stateMachines"]!.AsArray().Select(m => (string)m!["stateMachineArn"]!));
        var described = await serve.AwsJsonAsync("describe-state-machine", "--state-machine-arn", BackfillArn);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crypto_backfill.asl.json")), (string)described["definition"]!);
        Assert.Equal("crypto_backfill", (string)described["name"]!);

        var started = await serve.AwsJsonAsync("start-execution", "--state-machine-arn", BackfillArn, "--name", "year-1", "--input", """{"top":2}""");
        var arn = (string)started["executionArn"]!;
        Assert.Equal("arn:aws:states:local:000000000000:execution:crypto_backfill:year-1", arn);
        var done = await serve.WaitUntilClosedAsync(arn);
        Assert.True((string)done["status"]! == "SUCCEEDED", done.ToJsonString());
        Assert.Equal(BackfillArn, (string)done["stateMachineArn"]!);
        Assert.Equal(732, (int)JsonNode.Parse((string)done["output"]!)!["load"]!["rows_loaded"]!);
        Assert.Equal(["plan", "bitcoin", "ethereum", "transform", "load"], fakes.Select(f => (string)f!));

        var history = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn);
        string[] iteration = ["MapIterationStarted", .. Task("FetchCoinHistory"), "WaitStateEntered:Pace", "WaitStateExited:Pace", "MapIterationSucceeded"];
        string[] expected =
        [
            "ExecutionStarted", "PassStateEntered:Defaults", "PassStateExited:Defaults", "PassStateEntered:MergeInput", "PassStateExited:MergeInput",
            .. Task("SelectCoins"), "MapStateEntered:FetchHistories", "MapStateStarted", .. iteration, .. iteration, "MapStateSucceeded", "MapStateExited:FetchHistories",
            .. Task("TransformHistory"), .. Task("LoadHistory"), "ExecutionSucceeded",
        ];
        var events = history["events"]!.AsArray();
        Assert.Equal(expected, events.Select(e =>
        {
            var name = e!["stateEnteredEventDetails"]?["name"] ?? e["stateExitedEventDetails"]?["name"];
            return name is null ? (string)e["type"]! : $"{e["type"]}:{name}";
        }));
        Assert.Equal(2, (int)events.Single(e => (string)e!["type"]! == "MapStateStarted")!["mapStateStartedEventDetails"]!["length"]!);
        Assert.Equal([0, 1], events.Where(e => (string)e!["type"]! == "MapIterationStarted").Select(e => (int)e!["mapIterationStartedEventDetails"]!["index"]!));
        Assert.All(events.Where(e => (string)e!["type"]! == "MapIterationSucceeded"),
            e => Assert.Equal("FetchHistories", (string)e!["mapIterationSucceededEventDetails"]!["name"]!));

        // Each state machine lists its own executions.
        var ofBackfill = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", BackfillArn);
        Assert.Equal(arn, (string)Assert.Single(ofBackfill["executions"]!.AsArray())!["executionArn"]!);
        Assert.Equal(BackfillArn, (string)ofBackfill["executions"]![0]!["stateMachineArn"]!);
        Assert.Empty((await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn))["executions"]!.AsArray());

        // The console: the backfill's home page with its own start form and graph, the execution's page with the backfill's graph.
        using var http = new HttpClient { BaseAddress = serve.Server.Address };
        var home = await http.GetStringAsync(new Uri("/?machine=crypto_backfill", UriKind.Relative));
        Assert.Contains("<h1>crypto_backfill</h1>", home, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"machine\" value=\"crypto_backfill\">", home, StringComparison.Ordinal);
        Assert.Contains("year-1", home, StringComparison.Ordinal);
        Assert.Contains("FetchHistories", home, StringComparison.Ordinal);
        Assert.DoesNotContain("year-1", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
        var page = await http.GetStringAsync(new Uri("/executions/year-1", UriKind.Relative));
        Assert.Contains("data-state=\"FetchHistories\"", page, StringComparison.Ordinal);
        Assert.Contains("MapIterationSucceeded", page, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_console_starts_a_backfill_from_its_own_page()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        var data = new TempDirectory();
        var stderr = new StringWriter();
        var fakes = new JsonArray();
        var machines = ServeCommand.StateMachines(DateTimeOffset.UnixEpoch);
        var backfill = new LocalStateMachine(machines[1].AslText, machines[1].Name, machines[1].CreationDate) { Functions = Fakes(fakes), CheckInput = machines[1].CheckInput };
        var server = await ConsoleServer.StartAsync(new ConsoleServerOptions { Port = 0 }, [machines[0], backfill],
            new NoPipelineHost(), data.FullPath, TimeProvider.System, stderr, CancellationToken.None);
        await using var serve = ServeHarness.Over(data, server, ServeHarness.SettingsFor(data), stderr);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = serve.Server.Address };

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["machine"] = "crypto_backfill", ["name"] = "from-console", ["input"] = """{"top": 1}""" });
        using var response = await http.PostAsync(new Uri("/executions", UriKind.Relative), form);

        Assert.Equal(System.Net.HttpStatusCode.SeeOther, response.StatusCode);
        var done = await serve.WaitUntilClosedAsync("arn:aws:states:local:000000000000:execution:crypto_backfill:from-console");
        Assert.Equal("SUCCEEDED", (string)done["status"]!);
        Assert.Equal(["plan", "bitcoin", "transform", "load"], fakes.Select(f => (string)f!));
    }

    /// <summary>
    /// A coin failing for good: TaskFailed, MapIterationFailed, MapStateFailed, then (the Map's Catch)
    /// MapStateExited and the catcher's states, as AWS recorded a caught Map (test_base_scenarios.snapshot.json,
    /// test_map_state_catch); the execution fails with the step's error.
    /// </summary>
    [SkippableFact]
    public async Task A_coin_failing_for_good_shows_as_AWS_records_a_caught_map()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        var data = new TempDirectory();
        var stderr = new StringWriter();
        var calls = new JsonArray();
        var machines = ServeCommand.StateMachines(DateTimeOffset.UnixEpoch);
        var functions = Fakes(calls);
        var extract = functions["ExtractFunctionArn"];
        functions["ExtractFunctionArn"] = (payload, ct) => (string?)payload?["backfill_coin"]?["coin_id"] == "ethereum"
            ? throw new PipelineException(ErrorNames.CoinGeckoBadResponse, "404: coin not found")
            : extract(payload, ct);
        var backfill = new LocalStateMachine(machines[1].AslText, machines[1].Name, machines[1].CreationDate) { Functions = functions, CheckInput = machines[1].CheckInput };
        var server = await ConsoleServer.StartAsync(new ConsoleServerOptions { Port = 0 }, [machines[0], backfill],
            new NoPipelineHost(), data.FullPath, TimeProvider.System, stderr, CancellationToken.None);
        await using var serve = ServeHarness.Over(data, server, ServeHarness.SettingsFor(data), stderr);

        var arn = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", BackfillArn, "--name", "fails", "--input", "{}"))["executionArn"]!;
        var done = await serve.WaitUntilClosedAsync(arn);

        Assert.Equal(("FAILED", ErrorNames.CoinGeckoBadResponse), ((string)done["status"]!, (string)done["error"]!));
        Assert.StartsWith("FetchHistories failed: {", (string)done["cause"]!, StringComparison.Ordinal);
        var types = (await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn))["events"]!.AsArray()
            .Select(e => (string)e!["type"]!).ToList();
        var failed = types.IndexOf("TaskFailed");
        Assert.Equal(
            ["TaskFailed", "MapIterationFailed", "MapStateFailed", "MapStateExited", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"],
            types[failed..]);
        Assert.Equal(["plan", "bitcoin"], calls.Select(c => (string)c!));
    }

    /// <summary>
    /// The real steps: `serve` composed as the command composes it, over the market_chart stand-in
    /// (whose --rate of 60,000 a minute gives pause_seconds 0, so nothing sleeps), driven by the aws CLI.
    /// </summary>
    [SkippableFact]
    public async Task A_backfill_execution_with_the_real_steps_loads_the_history_and_a_second_adds_no_row()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        const int coins = 2;
        await using var standIn = await MarketChartCoinGecko.StartAsync(coins);
        await using var serve = await ServeHarness.StartAsync(standIn.BaseUrl);

        var first = await serve.WaitUntilClosedAsync((string)(await serve.AwsJsonAsync(
            "start-execution", "--state-machine-arn", BackfillArn, "--name", "year-1", "--input", """{"days": 365, "top": 2}"""))["executionArn"]!);
        var backfilled = await CountAsync(serve, "SELECT count(*) FROM crypto_data WHERE backfill_id IS NOT NULL");
        var second = await serve.WaitUntilClosedAsync((string)(await serve.AwsJsonAsync(
            "start-execution", "--state-machine-arn", BackfillArn, "--name", "year-2", "--input", """{"days": 365, "top": 2}"""))["executionArn"]!);

        Assert.True((string)first["status"]! == "SUCCEEDED", first.ToJsonString());
        Assert.True((string)second["status"]! == "SUCCEEDED", second.ToJsonString());
        // 365 days at 00:00 UTC per coin (the stand-in's daily points, as CoinGecko's above 90 days).
        Assert.Equal(365L * coins, backfilled);
        var output = JsonNode.Parse((string)first["output"]!)!;
        Assert.Equal(365 * coins, (int)output["load"]!["rows_loaded"]!);
        var backfillId = (string)output["plan"]!["backfill_id"]!;
        Assert.Equal(365L * coins, await CountAsync(serve, $"SELECT count(*) FROM crypto_data WHERE backfill_id = '{backfillId}'"));
        // The second execution resumes the same backfill: every history reused, no call, no row added.
        var again = JsonNode.Parse((string)second["output"]!)!;
        Assert.Equal(backfillId, (string)again["plan"]!["backfill_id"]!);
        Assert.All(again["fetched"]!.AsArray(), coin => Assert.True((bool)coin!["reused"]!));
        Assert.All(standIn.ChartCalls.Values, calls => Assert.Equal(1, calls));
        Assert.Equal(coins, standIn.ChartCalls.Count);
        Assert.Equal(365L * coins, await CountAsync(serve, "SELECT count(*) FROM crypto_data"));
    }

    private static async Task<object?> CountAsync(ServeHarness serve, string sql) =>
        (await DuckDbQuery.RunAsync(serve.Settings.DatabasePath, sql, CancellationToken.None)).Rows.Single()[0];

    /// <summary>The backfill contract's answers (docs/state-machine.md); no pause, so nothing sleeps.</summary>
    private static Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Fakes(JsonArray calls) => new()
    {
        ["ExtractFunctionArn"] = (payload, _) =>
        {
            if (payload?["backfill"] is { } plan)
            {
                calls.Add("plan");
                var top = (int)plan["top"]!;
                return System.Threading.Tasks.Task.FromResult<JsonNode?>(new JsonObject
                {
                    ["backfill_id"] = "b1",
                    ["coin_ids"] = new JsonArray([.. new[] { "bitcoin", "ethereum" }.Take(top).Select(c => (JsonNode)c)]),
                    ["days"] = 365,
                    ["vs_currency"] = "usd",
                    ["pause_seconds"] = 0,
                });
            }

            var coin = (string)payload!["backfill_coin"]!["coin_id"]!;
            calls.Add(coin);
            return System.Threading.Tasks.Task.FromResult<JsonNode?>(new JsonObject { ["coin_id"] = coin, ["raw_key"] = $"raw/history/b1/{coin}.json", ["points"] = 366, ["reused"] = false });
        },
        ["TransformFunctionArn"] = (_, _) =>
        {
            calls.Add("transform");
            return System.Threading.Tasks.Task.FromResult<JsonNode?>(new JsonObject
            {
                ["backfill_id"] = "b1", ["csv_key"] = "processed/history/b1/history_w1.csv", ["quality_key"] = "processed/history/b1/quality.json", ["rows"] = 732,
            });
        },
        ["LoadFunctionArn"] = (payload, _) =>
        {
            calls.Add("load");
            return System.Threading.Tasks.Task.FromResult<JsonNode?>(new JsonObject { ["table"] = "CRYPTO_HISTORY", ["rows_loaded"] = payload!["expected_rows"]!.DeepClone() });
        },
    };

    /// <summary>A host for a server that runs only the backfill here: crypto_etl's functions are never called.</summary>
    private sealed class NoPipelineHost : IPipelineHost, IAlertSink
    {
        public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions { get; } =
            new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>>
            {
                ["ExtractFunctionArn"] = (_, _) => throw new PipelineException(ErrorNames.Configuration, "not in this test"),
                ["TransformFunctionArn"] = (_, _) => throw new PipelineException(ErrorNames.Configuration, "not in this test"),
                ["LoadFunctionArn"] = (_, _) => throw new PipelineException(ErrorNames.Configuration, "not in this test"),
            };

        public IAlertSink Alerts => this;

        public string? ExtractProgress(DateTimeOffset since) => null;

        public string? CheckInput(JsonNode? input) => null;

        public Task<ReportData> BuildReportAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken) => System.Threading.Tasks.Task.CompletedTask;
    }
}
