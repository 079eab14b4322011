using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using CryptoEtl.Cli;
using CryptoEtl.DuckDb;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Report;
using CryptoEtl.StateMachine;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// A busy console: pages read the warehouse while executions load it, stops arrive while a Load
/// commits, and many executions are started at once. Driven by boto3 and the aws CLI.
/// </summary>
public sealed class ReadersAndStopsTests
{
    [SkippableFact]
    public async Task Reading_the_report_while_executions_load_neither_fails_one_nor_answers_500()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = serve.Server.Address };
        var answers = new ConcurrentBag<string>();
        using var done = new CancellationTokenSource();

        // Readers refresh the report (it re-reads the warehouse each time) for as long as boto3 starts and waits.
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                using var refreshed = await http.PostAsync("report/refresh", new FormUrlEncodedContent([]));
                var page = await refreshed.Content.ReadAsStringAsync();
                answers.Add($"{(int)refreshed.StatusCode} {(page.Contains("class=\"error\"", StringComparison.Ordinal) ? Between(page, "class=\"error\"", "</p>") : "")}");
            }
        })).ToArray();
        var result = await serve.PythonAsync("""
            import json, sys
            import boto3
            endpoint, machine = sys.argv[1], sys.argv[2]
            sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
            arns = [sfn.start_execution(stateMachineArn=machine, input=json.dumps({"pages": 1}))["executionArn"] for _ in range(8)]
            for arn in arns:
                while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                    pass
            print(json.dumps([[sfn.describe_execution(executionArn=a)["status"], sfn.describe_execution(executionArn=a).get("cause")] for a in arns]))
            """);
        await done.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var statuses = JsonNode.Parse(result.Stdout)!.AsArray().Select(s => s!.ToJsonString()).ToList();
        Assert.All(statuses, s => Assert.Equal("""["SUCCEEDED",null]""", s));
        Assert.NotEmpty(answers);
        // Every read is a page; before the first load commits it says there is no snapshot yet, never a DuckDB error.
        Assert.All(answers, a => Assert.True(a == "200 " || a.Contains("run the pipeline first", StringComparison.Ordinal), a));
        Assert.Contains("200 ", answers);
    }

    [SkippableFact]
    public async Task A_stop_while_Load_commits_stays_ABORTED_and_the_record_says_the_rows_were_committed()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        using var data = new TempDirectory();
        var settings = ServeHarness.SettingsFor(data);
        var loadEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = new GatedLoadHost(new LocalPipeline(settings, _ => null), loadEntered, release);
        var stderr = new StringWriter();
        var server = await ConsoleServer.StartAsync(new ConsoleServerOptions { Port = 0 }, Machine(), host, data.FullPath, TimeProvider.System, stderr, CancellationToken.None);
        await using var serve = ServeHarness.Over(data, server, settings, stderr);

        var arn = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "stopped", "--input", """{"pages":1}"""))["executionArn"]!;
        await loadEntered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await serve.AwsJsonAsync("stop-execution", "--execution-arn", arn, "--error", "Operator.Stop", "--cause", "stopped during Load");
        Assert.Equal("ABORTED", (string)(await serve.AwsJsonAsync("describe-execution", "--execution-arn", arn))["status"]!);

        // The Load commits anyway (DuckDB's commit cannot be taken back); the next execution runs only after it ended.
        release.SetResult();
        var next = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "next", "--input", """{"pages":1}"""))["executionArn"]!;
        Assert.Equal("SUCCEEDED", (string)(await serve.WaitUntilClosedAsync(next))["status"]!);

        // API_StopExecution / AWS: a stopped execution stays ABORTED; its history ends in ExecutionAborted.
        var described = await serve.AwsJsonAsync("describe-execution", "--execution-arn", arn);
        Assert.Equal("ABORTED", (string)described["status"]!);
        Assert.Null(described["output"]);
        Assert.Equal("stopped during Load", (string)described["cause"]!);
        var history = await serve.AwsJsonAsync("get-execution-history", "--execution-arn", arn);
        Assert.Equal("ExecutionAborted", (string)history["events"]!.AsArray()[^1]!["type"]!);
        var outcome = server.Executions.Describe(arn).StopOutcome!;
        Assert.StartsWith("Load was running when the execution stopped and finished anyway; what it did stands: ", outcome, StringComparison.Ordinal);
        var loaded = JsonNode.Parse(outcome[(outcome.IndexOf('{', StringComparison.Ordinal))..])!;
        Assert.Equal(RecordedMarket.CoinCount, (int)loaded["rows_loaded"]!);
        var rows = await DuckDbQuery.RunAsync(settings.DatabasePath,
            $"SELECT count(*) FROM crypto_data WHERE fetch_time = TIMESTAMPTZ '{loaded["fetch_time"]}'", CancellationToken.None);
        Assert.Equal(RecordedMarket.CoinCount, Convert.ToInt64(rows.Rows[0][0], CultureInfo.InvariantCulture));
        using var http = new HttpClient { BaseAddress = serve.Server.Address };
        Assert.Contains("finished anyway", await http.GetStringAsync("executions/stopped"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Executions_started_at_once_run_in_the_order_of_their_start_dates()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        // 8 threads start 48 executions at once; then each one's start date and when its first state was entered.
        var result = await serve.PythonAsync("""
            import json, sys, threading
            import boto3
            endpoint, machine = sys.argv[1], sys.argv[2]
            arns, lock = [], threading.Lock()
            def start():
                sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
                for _ in range(6):
                    arn = sfn.start_execution(stateMachineArn=machine, input='{"pages": 1}')["executionArn"]
                    with lock:
                        arns.append(arn)
            threads = [threading.Thread(target=start) for _ in range(8)]
            [t.start() for t in threads]
            [t.join() for t in threads]
            sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
            out = []
            for arn in arns:
                while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                    pass
                d = sfn.describe_execution(executionArn=arn)
                events = sfn.get_execution_history(executionArn=arn)["events"]
                out.append([d["startDate"].timestamp(), next(e["id"] for e in events if e["type"] == "PassStateEntered"), events[1]["timestamp"].timestamp(), d["status"]])
            print(json.dumps(out))
            """);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var runs = JsonNode.Parse(result.Stdout)!.AsArray().Select(r => (Start: (double)r![0]!, Entered: (double)r[2]!, Status: (string)r[3]!)).ToList();
        Assert.Equal(48, runs.Count);
        Assert.All(runs, r => Assert.Equal("SUCCEEDED", r.Status));
        // Distinct to the millisecond the API shows, and run in that order: sorted by start date, the first states are entered in order.
        Assert.Equal(runs.Count, runs.Select(r => r.Start).Distinct().Count());
        var byStart = runs.OrderBy(r => r.Start).ToList();
        for (var i = 1; i < byStart.Count; i++)
        {
            Assert.True(byStart[i].Entered >= byStart[i - 1].Entered, $"started {byStart[i].Start} after {byStart[i - 1].Start} but ran before it");
        }
    }

    internal static LocalStateMachine Machine() =>
        new(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crypto_etl.asl.json")), ServeCommand.StateMachineName, DateTimeOffset.UnixEpoch);

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        return text[from..to];
    }

    /// <summary>The real pipeline, whose Load waits to be released and then commits whatever the stop said meanwhile.</summary>
    private sealed class GatedLoadHost(LocalPipeline pipeline, TaskCompletionSource entered, TaskCompletionSource release) : IPipelineHost, IAlertSink, IDisposable
    {
        public IReadOnlyDictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> Functions =>
            pipeline.Functions.ToDictionary(f => f.Key, f => f.Key != "LoadFunctionArn" ? f.Value : async (input, _) =>
            {
                entered.TrySetResult();
                await release.Task;
                // As a commit under way: the stop's cancellation does not reach it.
                return await f.Value(input, CancellationToken.None);
            }, StringComparer.Ordinal);

        public IAlertSink Alerts => this;

        public string? ExtractProgress(DateTimeOffset since) => null;

        public string? CheckInput(JsonNode? input) => null;

        public Task<ReportData> BuildReportAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PublishAsync(AlertMessage alert, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => pipeline.Dispose();
    }
}
