using System.Text;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.LambdaHosting;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Lambda.Tests;

public sealed class LambdaHostTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly MemoryStream _log = new();
    private readonly CancellationTokenSource _stop = new();
    private FakeRuntimeApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeRuntimeApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _api.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task Two_invocations_in_a_row_post_their_responses_logs_and_metrics()
    {
        var seen = new List<(string RawKey, string RequestId, DateTimeOffset Deadline, string? Trace)>();
        var run = Run(handler: (input, context, _) =>
        {
            seen.Add((input.RawKey, context.RequestId, context.Deadline, Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID")));
            return Task.FromResult(Output(rows: input.RawKey.Length, rejected: 1));
        });

        _api.Enqueue(new("req-1", Now.AddMinutes(5), """{"raw_key":"raw/a.json"}""", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700"));
        _api.Enqueue(new("req-2", Now.AddMinutes(5), """{"raw_key":"raw/bb.json"}"""));
        var first = await _api.NextOutcomeAsync();
        var second = await _api.NextOutcomeAsync();
        await _stop.CancelAsync();
        Assert.Equal(0, await run);

        Assert.Equal(("response", "req-1"), (first.Kind, first.RequestId));
        Assert.Equal("""{"fetch_time":"2026-11-25T12:00:00Z","csv_key":"csv/x.csv","quality_key":"quality/x.json","rows":10,"rejected":1}""", first.Body);
        Assert.Equal(("response", "req-2"), (second.Kind, second.RequestId));
        Assert.Contains("\"rows\":11", second.Body, StringComparison.Ordinal);
        Assert.Equal(
            [("raw/a.json", "req-1", Now.AddMinutes(5), "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700"), ("raw/bb.json", "req-2", Now.AddMinutes(5), null)],
            seen);

        var lines = LogLines();
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, line.ValueKind));
        var metrics = lines.Where(l => l.TryGetProperty("_aws", out _)).ToList();
        Assert.Equal(2, metrics.Count);
        Assert.Equal("req-2", metrics[1].GetProperty("requestId").GetString());
        Assert.Equal("transform", metrics[1].GetProperty("Step").GetString());
        Assert.Equal(11, metrics[1].GetProperty("RowsTransformed").GetDouble());
        Assert.Equal(1, metrics[1].GetProperty("RowsRejected").GetDouble());
        var directive = metrics[1].GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Equal("CryptoEtl", directive.GetProperty("Namespace").GetString());
        Assert.Equal(["RowsTransformed", "RowsRejected", "DurationMs"],
            directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()));
        Assert.Equal(Now.ToUnixTimeMilliseconds(), metrics[1].GetProperty("_aws").GetProperty("Timestamp").GetInt64());
        Assert.Contains(lines, l => IsMessage(l, "init done") && !l.TryGetProperty("requestId", out _));
        Assert.Contains(lines, l => IsMessage(l, "invocation done") && l.GetProperty("requestId").ValueEquals("req-1"));
    }

    [Fact]
    public async Task A_handler_exception_is_posted_as_the_documented_error_and_the_loop_goes_on()
    {
        var run = Run(handler: (input, _, _) => input.RawKey switch
        {
            "raw/missing.json" => throw new PipelineException(ErrorNames.ObjectNotFound, "no object raw/missing.json in file:///data/"),
            "raw/bug.json" => throw new InvalidOperationException("a bug"),
            _ => Task.FromResult(Output(rows: 3, rejected: 0)),
        });

        _api.Enqueue(new("req-missing", Now.AddMinutes(5), """{"raw_key":"raw/missing.json"}"""));
        _api.Enqueue(new("req-bug", Now.AddMinutes(5), """{"raw_key":"raw/bug.json"}"""));
        _api.Enqueue(new("req-bad-event", Now.AddMinutes(5), """{"raw":"raw/a.json"}"""));
        _api.Enqueue(new("req-ok", Now.AddMinutes(5), """{"raw_key":"raw/a.json"}"""));
        var missing = await _api.NextOutcomeAsync();
        var bug = await _api.NextOutcomeAsync();
        var badEvent = await _api.NextOutcomeAsync();
        var ok = await _api.NextOutcomeAsync();
        await _stop.CancelAsync();
        Assert.Equal(0, await run);

        Assert.Equal(("error", "req-missing", ErrorNames.ObjectNotFound), (missing.Kind, missing.RequestId, missing.ErrorTypeHeader));
        using var body = JsonDocument.Parse(missing.Body);
        Assert.Equal(["errorMessage", "errorType", "stackTrace"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("no object raw/missing.json in file:///data/", body.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal(ErrorNames.ObjectNotFound, body.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(body.RootElement.GetProperty("stackTrace").EnumerateArray(),
            frame => frame.GetString()!.Contains(nameof(A_handler_exception_is_posted_as_the_documented_error_and_the_loop_goes_on), StringComparison.Ordinal));

        Assert.Equal(("error", "System.InvalidOperationException"), (bug.Kind, bug.ErrorTypeHeader));
        Assert.Contains("\"errorMessage\":\"a bug\"", bug.Body, StringComparison.Ordinal);
        Assert.Equal(("error", ErrorNames.InvalidInput), (badEvent.Kind, badEvent.ErrorTypeHeader));
        Assert.Contains("TransformInput", badEvent.Body, StringComparison.Ordinal);
        Assert.Equal(("response", "req-ok"), (ok.Kind, ok.RequestId));

        var failures = LogLines().Where(l => IsMessage(l, "invocation failed")).ToList();
        Assert.Equal(["req-missing", "req-bug", "req-bad-event"], failures.Select(l => l.GetProperty("requestId").GetString()));
        Assert.Equal(ErrorNames.ObjectNotFound, failures[0].GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task A_deadline_that_passes_cancels_the_handler_and_reports_DeadlineExceeded()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAt = DateTimeOffset.MinValue;
        var deadlines = new List<DateTimeOffset>();
        var run = Run(handler: async (_, context, ct) =>
        {
            deadlines.Add(context.Deadline);
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                // Noted here, not in a token registration: disposing a registration can drop its
                // callback when the delay's own cancellation runs first (a race seen under load).
                cancelledAt = _time.GetUtcNow();
                throw;
            }

            return Output(rows: 0, rejected: 0);
        });

        _api.Enqueue(new("req-slow", Now.AddSeconds(10), """{"raw_key":"raw/a.json"}"""));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(8.5));
        Assert.Equal(DateTimeOffset.MinValue, cancelledAt);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        var outcome = await _api.NextOutcomeAsync();
        await _stop.CancelAsync();
        Assert.Equal(0, await run);

        // The margin is one second: the token fires at deadline - 1 s, and the error goes out before the deadline.
        Assert.Equal(Now.AddSeconds(9), cancelledAt);
        Assert.Equal([Now.AddSeconds(10)], deadlines);
        Assert.Equal(("error", "req-slow", ErrorNames.DeadlineExceeded), (outcome.Kind, outcome.RequestId, outcome.ErrorTypeHeader));
        Assert.Contains($"\"errorType\":\"{ErrorNames.DeadlineExceeded}\"", outcome.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_init_error_is_posted_to_init_error_and_the_host_exits()
    {
        var exit = await LambdaHost.RunAsync(
            Function((_, _) => throw new PipelineException(ErrorNames.Configuration, "CRYPTOETL_STORE is not set")),
            Options(), _stop.Token);

        Assert.Equal(LambdaHost.ExitInitFailed, exit);
        var outcome = await _api.NextOutcomeAsync();
        Assert.Equal(("init/error", ErrorNames.Configuration), (outcome.Kind, outcome.ErrorTypeHeader));
        Assert.Contains("\"errorMessage\":\"CRYPTOETL_STORE is not set\"", outcome.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery.EndsWith("/next", StringComparison.Ordinal));
        Assert.Contains(LogLines(), l => IsMessage(l, "init failed")
            && l.GetProperty("errorType").ValueEquals(ErrorNames.Configuration));
    }

    [Fact]
    public async Task A_failing_runtime_api_ends_the_process_with_a_non_zero_code()
    {
        _api.NextStatus = 500;
        var exit = await Run(handler: (_, _, _) => Task.FromResult(Output(rows: 0, rejected: 0)));
        Assert.Equal(LambdaHost.ExitRuntimeApiFailed, exit);
        Assert.Contains(LogLines(), l => IsMessage(l, "the Runtime API failed; exiting"));
    }

    [Fact]
    public async Task Without_a_runtime_api_the_host_says_so_and_exits()
    {
        var exit = await LambdaHost.RunAsync(
            Function((_, _) => Task.FromResult<Func<TransformInput, LambdaContext, CancellationToken, Task<TransformOutput>>>((_, _, _) => throw new InvalidOperationException())),
            Options(runtimeApi: null), _stop.Token);
        Assert.Equal(LambdaHost.ExitInitFailed, exit);
        Assert.Contains("AWS_LAMBDA_RUNTIME_API is not set", Encoding.UTF8.GetString(_log.ToArray()), StringComparison.Ordinal);
    }

    private static TransformOutput Output(int rows, int rejected) => new()
    {
        FetchTime = Now,
        CsvKey = "csv/x.csv",
        QualityKey = "quality/x.json",
        Rows = rows,
        Rejected = rejected,
    };

    private Task<int> Run(Func<TransformInput, LambdaContext, CancellationToken, Task<TransformOutput>> handler) =>
        LambdaHost.RunAsync(Function((_, _) => Task.FromResult(handler)), Options(), _stop.Token);

    private static LambdaFunction<TransformInput, TransformOutput> Function(
        Func<LambdaLogger, CancellationToken, Task<Func<TransformInput, LambdaContext, CancellationToken, Task<TransformOutput>>>> initialize) => new()
        {
            Name = "transform",
            Input = ContractsJsonContext.Default.TransformInput,
            Output = ContractsJsonContext.Default.TransformOutput,
            Initialize = initialize,
            Metrics = output => [new("RowsTransformed", output.Rows, MetricUnit.Count), new("RowsRejected", output.Rejected, MetricUnit.Count)],
        };

    private LambdaHostOptions Options(string? runtimeApi = "") => new()
    {
        RuntimeApi = runtimeApi == "" ? _api.Address : runtimeApi,
        Function = new LambdaFunctionInfo("crypto-etl-transform", "$LATEST", 512, null, null),
        Time = _time,
        Output = _log,
    };

    private static bool IsMessage(JsonElement line, string message) =>
        line.TryGetProperty("message", out var value) && value.ValueEquals(message);

    private List<JsonElement> LogLines() =>
        [.. Encoding.UTF8.GetString(_log.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)];
}
