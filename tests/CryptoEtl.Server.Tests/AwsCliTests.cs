using System.Text.Json.Nodes;
using CryptoEtl.DuckDb;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// `cryptoetl serve` driven by the real `aws` CLI, as the README tells users to. Expected event
/// sequences come from AWS recordings in LocalStack's snapshots (named at each test), applied to
/// our state machine's states.
/// </summary>
public sealed class AwsCliTests
{
    private static string[] Task(string state) =>
        ["TaskStateEntered:" + state, "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited:" + state];

    private static string[] Pass(string state) => ["PassStateEntered:" + state, "PassStateExited:" + state];

    /// <summary>A history as TYPE or TYPE:STATE (state events carry the state's name).</summary>
    private static List<string> Sequence(JsonNode history) =>
        [.. history["events"]!.AsArray().Select(e =>
        {
            var name = e!["stateEnteredEventDetails"]?["name"] ?? e["stateExitedEventDetails"]?["name"];
            return name is null ? (string)e["type"]! : $"{e["type"]}:{name}";
        })];

    [SkippableFact]
    public async Task Start_describe_until_done_and_history_run_the_pipeline_with_AWS_shaped_events()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        var machines = await serve.AwsJsonAsync("list-state-machines");
        // crypto_etl first, then the backfill's (BackfillServeTests).
        Assert.Equal(2, machines["stateMachines"]!.AsArray().Count);
        var machine = machines["stateMachines"]![0]!;
        Assert.Equal(serve.StateMachineArn, (string)machine["stateMachineArn"]!);
        Assert.Equal("STANDARD", (string)machine["type"]!);
        var described = await serve.AwsJsonAsync("describe-state-machine", "--state-machine-arn", serve.StateMachineArn);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "statemachine", "crypto_etl.asl.json")), (string)described["definition"]!);

        var started = await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "nightly-1", "--input", """{"pages":2}""");
        var arn = (string)started["executionArn"]!;
        Assert.Equal(ServeHarness.ExecutionArn("nightly-1"), arn);

        var done = await serve.WaitUntilClosedAsync(arn);
        Assert.Equal("SUCCEEDED", (string)done["status"]!);
        Assert.Equal("""{"pages":2}""", (string)done["input"]!);
        var output = JsonNode.Parse((string)done["output"]!)!;
        // The recorded market (src/CryptoEtl.RecordedCoinGecko/Recorded) holds 100 coins, all valid.
        Assert.Equal(100, (int)output["load"]!["rows_loaded"]!);
        var rows = await DuckDbQuery.RunAsync(serve.Settings.DatabasePath,
            $"SELECT count(*) FROM crypto_data WHERE fetch_time = TIMESTAMPTZ '{output["load"]!["fetch_time"]}'", CancellationToken.None);
        Assert.Equal(100L, Convert.ToInt64(rows.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));

        // The order AWS records for lambda:invoke tasks (LocalStack
        // tests/aws/services/stepfunctions/v2/services/test_lambda_task_service.snapshot.json, test_invoke):
        // TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited.
        var history = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn);
        string[] expected = ["ExecutionStarted", .. Pass("Defaults"), .. Pass("MergeInput"), .. Task("Extract"), .. Task("Transform"), .. Task("Load"), "ExecutionSucceeded"];
        Assert.Equal(expected, Sequence(history));
        var events = history["events"]!.AsArray();
        // Ids count from 1; previousEventId is the event before, except the first state's, which is 0 (same snapshot).
        Assert.Equal(Enumerable.Range(1, expected.Length), events.Select(e => (int)e!["id"]!));
        Assert.Equal([0, 0, .. Enumerable.Range(2, expected.Length - 2)], events.Select(e => (int)e!["previousEventId"]!));
        var scheduled = events.First(e => (string)e!["type"]! == "TaskScheduled")!["taskScheduledEventDetails"]!;
        Assert.Equal("lambda", (string)scheduled["resourceType"]!);
        Assert.Equal("invoke", (string)scheduled["resource"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"FunctionName":"arn:aws:lambda:local:000000000000:function:Extract","Payload":{"pages":2,"per_page":null,"vs_currency":"usd","fetch_time":null,"force":null}}"""),
            JsonNode.Parse((string)scheduled["parameters"]!)));
        Assert.Equal((string)done["input"]!, (string)events[0]!["executionStartedEventDetails"]!["input"]!);
        Assert.Equal((string)done["output"]!, (string)events[^1]!["executionSucceededEventDetails"]!["output"]!);

        // Reverse order, and the CLI following nextToken 4 events at a time, give the same events.
        var reversed = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn, "--reverse-order");
        Assert.Equal(expected.Reverse(), Sequence(reversed));
        var paged = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn, "--page-size", "4");
        Assert.Equal(history.ToJsonString(), paged.ToJsonString());
    }

    [SkippableFact]
    public async Task A_failing_step_is_caught_and_fails_the_execution_with_its_error_and_state()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        // An input that passes the input rules but that CoinGecko refuses (the recording, like CoinGecko, answers 400 for an unknown currency).
        var started = await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--input", """{"pages":1,"vs_currency":"zzz"}""");
        var done = await serve.WaitUntilClosedAsync((string)started["executionArn"]!);

        // docs/state-machine.md: a refused request fails in Extract with CryptoEtl.InvalidInput; the Fail state's
        // cause names the state (on AWS the EventBridge rule on FAILED executions alerts with it).
        Assert.Equal("FAILED", (string)done["status"]!);
        Assert.Equal("CryptoEtl.InvalidInput", (string)done["error"]!);
        // A caught task failure as AWS records it (LocalStack
        // tests/aws/services/stepfunctions/v2/error_handling/test_task_service_lambda.snapshot.json,
        // test_raise_exception_catch): TaskFailed, then TaskStateExited with the catcher's output.
        var history = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", (string)started["executionArn"]!);
        string[] expected =
        [
            "ExecutionStarted", .. Pass("Defaults"), .. Pass("MergeInput"),
            "TaskStateEntered:Extract", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited:Extract",
            .. Pass("ExtractFailed"), "FailStateEntered:Failed", "ExecutionFailed",
        ];
        Assert.Equal(expected, Sequence(history));
        var events = history["events"]!.AsArray();
        var failed = events.Single(e => (string)e!["type"]! == "TaskFailed")!["taskFailedEventDetails"]!;
        Assert.Equal("CryptoEtl.InvalidInput", (string)failed["error"]!);
        Assert.Equal("CryptoEtl.InvalidInput", (string)JsonNode.Parse((string)failed["cause"]!)!["errorType"]!);
        Assert.StartsWith("Extract failed: {", (string)done["cause"]!, StringComparison.Ordinal);
        Assert.Equal("CryptoEtl.InvalidInput", (string)events[^1]!["executionFailedEventDetails"]!["error"]!);
    }

    [SkippableFact]
    public async Task Errors_have_AWS_names_and_messages()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        var arn = ServeHarness.ExecutionArn("dup");
        var first = await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "dup", "--input", """{"pages":1}""");
        await serve.WaitUntilClosedAsync((string)first["executionArn"]!);

        // Message forms as AWS recorded them in LocalStack tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json.
        // API_StartExecution: a closed execution's name is taken whatever the input.
        await AssertErrorAsync(serve, "StartExecution", "ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'",
            "start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "dup", "--input", """{"pages":1}""");
        await AssertErrorAsync(serve, "StartExecution", "ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'",
            "start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "dup", "--input", """{"pages":3}""");
        await AssertErrorAsync(serve, "StartExecution", "InvalidExecutionInput", "Invalid State Machine Execution Input: '",
            "start-execution", "--state-machine-arn", serve.StateMachineArn, "--input", "{'pages': 2}");
        await AssertErrorAsync(serve, "StartExecution", "InvalidName", "Invalid Name: 'two words'",
            "start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "two words");
        var otherMachine = "arn:aws:states:local:000000000000:stateMachine:other";
        await AssertErrorAsync(serve, "StartExecution", "StateMachineDoesNotExist", $"State Machine Does Not Exist: '{otherMachine}'",
            "start-execution", "--state-machine-arn", otherMachine);
        await AssertErrorAsync(serve, "DescribeExecution", "InvalidArn", "Invalid Arn: 'not-an-arn'",
            "describe-execution", "--execution-arn", "not-an-arn");
        await AssertErrorAsync(serve, "DescribeExecution", "ExecutionDoesNotExist", $"Execution Does Not Exist: '{ServeHarness.ExecutionArn("nope")}'",
            "describe-execution", "--execution-arn", ServeHarness.ExecutionArn("nope"));
        await AssertErrorAsync(serve, "GetExecutionHistory", "ExecutionDoesNotExist", "Execution Does Not Exist:",
            "get-execution-history", "--execution-arn", ServeHarness.ExecutionArn("nope"));

        // Nothing of the refused starts was created.
        var list = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn);
        Assert.Equal(["dup"], list["executions"]!.AsArray().Select(e => (string)e!["name"]!));
    }

    [SkippableFact]
    public async Task Stop_aborts_the_running_execution_the_next_one_waits_its_turn_and_a_restart_keeps_everything()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        // A CoinGecko stand-in that never answers: Extract stays in flight until stopped.
        var calls = 0;
        var inFlight = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        await using var coinGecko = await LocalHttpServer.StartAsync(async context =>
        {
            inFlight[Math.Min(Interlocked.Increment(ref calls), 2) - 1].TrySetResult();
            await System.Threading.Tasks.Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var serve = await ServeHarness.StartAsync(coinGecko.BaseAddress);

        var a = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "a"))["executionArn"]!;
        await inFlight[0].Task.WaitAsync(TimeSpan.FromMinutes(1));
        var b = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "b", "--input", """{"pages":1}"""))["executionArn"]!;

        // One at a time: b is RUNNING but has not entered a state while a runs.
        var bHistory = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", b);
        Assert.Equal(["ExecutionStarted"], Sequence(bHistory));
        // API_StartExecution: the same name and input as a RUNNING execution returns it.
        var again = await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "b", "--input", """{"pages":1}""");
        Assert.Equal(b, (string)again["executionArn"]!);

        var running = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn, "--status-filter", "RUNNING");
        Assert.Equal(["b", "a"], running["executions"]!.AsArray().Select(e => (string)e!["name"]!));

        var stopped = await serve.AwsJsonAsync("stop-execution", "--execution-arn", a, "--error", "Operator.Stop", "--cause", "testing stop");
        Assert.NotNull(stopped["stopDate"]);
        var aDone = await serve.AwsJsonAsync("describe-execution", "--execution-arn", a);
        Assert.Equal("ABORTED", (string)aDone["status"]!);
        var aHistory = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", a);
        var last = aHistory["events"]!.AsArray()[^1]!;
        Assert.Equal("ExecutionAborted", (string)last["type"]!);
        Assert.Equal("Operator.Stop", (string)last["executionAbortedEventDetails"]!["error"]!);
        Assert.Equal("testing stop", (string)last["executionAbortedEventDetails"]!["cause"]!);

        // b's turn: its Extract calls the stand-in too.
        await inFlight[1].Task.WaitAsync(TimeSpan.FromMinutes(1));
        var aborted = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn, "--status-filter", "ABORTED");
        Assert.Equal(["a"], aborted["executions"]!.AsArray().Select(e => (string)e!["name"]!));

        // A restart keeps a's record and history as they were; b, cut off by the stop, is ABORTED with a reason.
        await serve.RestartAsync();
        Assert.Equal(aHistory.ToJsonString(), (await serve.AwsJsonAsync("get-execution-history", "--execution-arn", a)).ToJsonString());
        Assert.Equal(aDone.ToJsonString(), (await serve.AwsJsonAsync("describe-execution", "--execution-arn", a)).ToJsonString());
        var bAfter = await serve.AwsJsonAsync("describe-execution", "--execution-arn", b);
        Assert.Equal("ABORTED", (string)bAfter["status"]!);
        Assert.Contains("the server stopped while this execution ran", (string)bAfter["cause"]!, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_finished_execution_survives_a_restart_unchanged()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        var arn = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "keep"))["executionArn"]!;
        var described = await serve.WaitUntilClosedAsync(arn);
        var history = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn);

        await serve.RestartAsync();

        Assert.Equal(described.ToJsonString(), (await serve.AwsJsonAsync("describe-execution", "--execution-arn", arn)).ToJsonString());
        Assert.Equal(history.ToJsonString(), (await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn)).ToJsonString());
        Assert.True(File.Exists(Path.Combine(serve.Data.FullPath, "executions", ExecutionStore.FileName("keep"))));
        Assert.Empty(Directory.GetFiles(Path.Combine(serve.Data.FullPath, "executions"), "*.partial", SearchOption.AllDirectories));
    }

    private static async Task AssertErrorAsync(ServeHarness serve, string operation, string code, string messageStart, params string[] args)
    {
        var result = await serve.AwsAsync(args);
        Assert.NotEqual(0, result.ExitCode);
        // botocore's own rendering of an error response: "An error occurred (CODE) when calling the OPERATION operation: MESSAGE".
        Assert.Contains($"An error occurred ({code}) when calling the {operation} operation: {messageStart}", result.Stderr, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CryptoEtl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("no CryptoEtl.sln above the test binaries");
    }
}
