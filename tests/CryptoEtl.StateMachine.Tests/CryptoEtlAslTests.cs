using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.StateMachine.Tests;

/// <summary>The real statemachine/crypto_etl.asl.json, run by the local runner with fake steps.</summary>
public sealed class CryptoEtlAslTests
{
    private static readonly string[] HappyPath = ["Defaults", "MergeInput", "Extract", "Transform", "Load"];

    [Fact]
    public async Task Keys_counts_and_fetch_time_flow_from_step_to_step()
    {
        var steps = new FakeSteps();

        var result = await steps.Runner().RunAsync(new JsonObject(), "run-1");

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(HappyPath, Entered(steps));
        var raw = ObjectKeys.Raw(FakeSteps.FetchTime);
        Assert.Equal(raw, Assert.Single(steps.TransformInputs).RawKey);
        var load = Assert.Single(steps.LoadInputs);
        Assert.Equal(ObjectKeys.Csv(FakeSteps.FetchTime, StoredCsv.WriteId), load.CsvKey);
        Assert.Equal(FakeSteps.FetchTime, load.FetchTime);
        Assert.Equal(497, load.ExpectedRows);
        Assert.Equal(raw, (string?)result.Output!["extract"]!["raw_key"]);
        Assert.Equal(500, (int)result.Output["extract"]!["coins"]!);
        Assert.Equal(497, (int)result.Output["load"]!["rows_loaded"]!);
        Assert.Equal(CryptoSchema.TableName, (string?)result.Output["load"]!["table"]);
        Assert.Empty(steps.Alerts.Sent);
        Assert.Empty(steps.Waits);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData(null)]
    public async Task An_empty_input_means_the_defaults(string? input)
    {
        var steps = new FakeSteps();

        var result = await steps.Runner().RunAsync(input is null ? null : JsonNode.Parse(input));

        Assert.True(result.Succeeded, result.Cause);
        var extract = Assert.Single(steps.ExtractInputs);
        Assert.Equal(PageCount.Default, extract.Pages);
        Assert.Equal("usd", extract.VsCurrency);
        Assert.Null(extract.PerPage);
        Assert.Null(extract.FetchTime);
        Assert.Null(extract.Force);
    }

    [Fact]
    public async Task The_input_overrides_the_defaults()
    {
        var steps = new FakeSteps();
        var input = JsonNode.Parse("""{"pages": 5, "vs_currency": "eur", "per_page": 100, "fetch_time": "2026-01-02T03:04:05Z", "force": true}""");

        var result = await steps.Runner().RunAsync(input);

        Assert.True(result.Succeeded, result.Cause);
        var extract = Assert.Single(steps.ExtractInputs);
        Assert.Equal(PageCount.Of(5), extract.Pages);
        Assert.Equal("eur", extract.VsCurrency);
        Assert.Equal(100, extract.PerPage);
        Assert.True(extract.Force);
        var pinned = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal(pinned, extract.FetchTime);
        Assert.Equal(pinned, Assert.Single(steps.LoadInputs).FetchTime);
    }

    [Fact]
    public async Task Pages_all_reaches_extract()
    {
        var steps = new FakeSteps();

        var result = await steps.Runner().RunAsync(JsonNode.Parse("""{"pages": "all"}"""));

        Assert.True(result.Succeeded, result.Cause);
        Assert.True(Assert.Single(steps.ExtractInputs).Pages!.Value.IsAll);
        Assert.Equal("usd", steps.ExtractInputs[0].VsCurrency);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_with_the_files_backoff_then_succeeds()
    {
        var steps = new FakeSteps
        {
            Failure = ("Transform", new PipelineException(ErrorNames.StorageUnavailable, "S3 said 503 for raw/..."), 3),
        };

        var result = await steps.Runner(jitter: 0.5).RunAsync(new JsonObject());

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(4, steps.Calls("Transform"));
        var retrier = TransientRetrier("Transform");
        var interval = (double)retrier["IntervalSeconds"]!;
        var rate = (double)retrier["BackoffRate"]!;
        var max = (double)retrier["MaxDelaySeconds"]!;
        TimeSpan[] expected = [.. Enumerable.Range(0, 3).Select(n => TimeSpan.FromSeconds(Math.Min(interval * Math.Pow(rate, n), max) * 0.5))];
        Assert.Equal(expected, steps.Waits);
        var retried = steps.Events.Where(e => e.Type == ExecutionEventType.StateRetried).ToList();
        Assert.Equal([1, 2, 3], retried.Select(e => e.Attempt));
        Assert.All(retried, e => Assert.Equal(ErrorNames.StorageUnavailable, e.Error));
        Assert.Equal(expected, retried.Select(e => e.Wait));
        Assert.Empty(steps.Alerts.Sent);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_and_fails_the_execution_naming_the_state()
    {
        var steps = new FakeSteps
        {
            Failure = ("Load", new PipelineException(ErrorNames.RowCountMismatch, "loaded 12 rows, expected 497"), int.MaxValue),
        };

        var result = await steps.Runner().RunAsync(new JsonObject(), "nightly-42");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(ErrorNames.RowCountMismatch, result.Error);
        // The cause names the state, then the function's whole error body (the execution-failed
        // event carries both to the alert: infra/template.yaml, ExecutionFailedAlertRule).
        Assert.StartsWith("Load failed: {", result.Cause, StringComparison.Ordinal);
        var cause = JsonNode.Parse(result.Cause!["Load failed: ".Length..])!;
        Assert.Equal("loaded 12 rows, expected 497", (string?)cause["errorMessage"]);
        Assert.Equal(ErrorNames.RowCountMismatch, (string?)cause["errorType"]);
        Assert.Equal(1, steps.Calls("Load"));
        Assert.Empty(steps.Waits);
        Assert.Equal([.. HappyPath, "LoadFailed", "Failed"], Entered(steps));
        Assert.Empty(steps.Alerts.Sent);
        Assert.Equal(ExecutionEventType.ExecutionFailed, steps.Events[^1].Type);
    }

    [Fact]
    public async Task Exhausted_retries_fail_the_execution_with_the_transient_error()
    {
        var steps = new FakeSteps
        {
            Failure = ("Extract", new PipelineException(ErrorNames.CoinGeckoRateLimited, "429 from /coins/markets"), int.MaxValue),
        };

        var result = await steps.Runner().RunAsync(new JsonObject());

        var maxAttempts = (int)TransientRetrier("Extract")["MaxAttempts"]!;
        Assert.Equal(maxAttempts + 1, steps.Calls("Extract"));
        Assert.Equal(maxAttempts, steps.Waits.Count);
        Assert.Equal(ErrorNames.CoinGeckoRateLimited, result.Error);
        Assert.StartsWith("Extract failed: {", result.Cause, StringComparison.Ordinal);
        Assert.Empty(steps.TransformInputs);
    }

    [Fact]
    public async Task An_unexpected_exception_is_caught_with_its_type_as_the_error()
    {
        var steps = new FakeSteps { Failure = ("Transform", new InvalidOperationException("boom"), int.MaxValue) };

        var result = await steps.Runner().RunAsync(new JsonObject());

        Assert.Equal("System.InvalidOperationException", result.Error);
        Assert.Equal(1, steps.Calls("Transform"));
        Assert.StartsWith("Transform failed: {", result.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_data_stays_under_1_KB_whatever_the_coin_count()
    {
        var steps = new FakeSteps { Coins = 500_000 };

        var result = await steps.Runner().RunAsync(JsonNode.Parse("""{"pages": "all", "per_page": 250}"""));

        Assert.True(result.Succeeded, result.Cause);
        Assert.Equal(499_997, (int)result.Output!["load"]!["rows_loaded"]!);
        var sizes = steps.Events.Where(e => e.Data is not null).Select(e => Encoding.UTF8.GetByteCount(e.Data!)).ToList();
        Assert.Equal(12, sizes.Count);
        Assert.All(sizes, size => Assert.InRange(size, 2, 1023));
    }

    [Fact]
    public void The_placeholders_are_exactly_the_three_functions()
    {
        var definition = StateMachineDefinition.Load(AslFile.Path);

        Assert.Equal(["ExtractFunctionArn", "LoadFunctionArn", "TransformFunctionArn"], definition.Placeholders.Order(StringComparer.Ordinal));
        Assert.Equal(["ExtractFunctionArn", "LoadFunctionArn", "TransformFunctionArn"], definition.FunctionPlaceholders.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Extract")]
    [InlineData("Transform")]
    [InlineData("Load")]
    public void Each_step_retries_exactly_the_transient_error_names_and_the_lambda_service_errors(string state)
    {
        var retry = AslFile.Json["States"]![state]!["Retry"]!.AsArray();
        var retried = retry.SelectMany(r => r!["ErrorEquals"]!.AsArray().Select(e => (string)e!)).ToList();

        // Only Load (pipe mode) raises a pending name, so only Load waits for it.
        IEnumerable<string> expected = state == "Load" ? [.. ErrorNames.Transient, .. ErrorNames.Pending] : ErrorNames.Transient;
        Assert.Equal(expected.Order(), retried.Where(e => e.StartsWith("CryptoEtl.", StringComparison.Ordinal)).Order());
        Assert.Equal(
            ["Lambda.AWSLambdaException", "Lambda.ClientExecutionTimeoutException", "Lambda.SdkClientException", "Lambda.ServiceException", "Lambda.TooManyRequestsException"],
            retried.Where(e => !e.StartsWith("CryptoEtl.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        // Transient errors spread their retries (FULL jitter); the wait for Snowpipe is a fixed schedule.
        Assert.All(retry, r => Assert.Equal(r!["ErrorEquals"]!.AsArray().Any(e => (string?)e == ErrorNames.IngestPending) ? "NONE" : "FULL", (string?)r!["JitterStrategy"]));
        Assert.All(retry, r => Assert.NotNull(r!["MaxDelaySeconds"]));
        var catcher = Assert.Single(AslFile.Json["States"]![state]!["Catch"]!.AsArray());
        Assert.Equal("States.ALL", (string?)Assert.Single(catcher!["ErrorEquals"]!.AsArray()));
    }

    /// <summary>
    /// The wait for Snowpipe has a fixed bound (docs/snowflake.md, "Snowpipe load mode"): Snowflake
    /// gives no latency bound ("in most cases ... within a few minutes", Snowpipe REST API page), so
    /// the Load state looks again after 60, 120, 240, 240, 240 s, whatever the jitter source says,
    /// and gives up after 900 s of waiting and 6 attempts, every execution alike.
    /// </summary>
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.99)]
    public async Task The_wait_for_snowpipe_is_900_seconds_at_most_whatever_the_jitter(double jitter)
    {
        var steps = new FakeSteps { Failure = ("Load", new PipelineException(ErrorNames.IngestPending, "not yet"), int.MaxValue) };

        var execution = await steps.Runner(jitter: jitter).RunAsync(new JsonObject());

        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal(ErrorNames.IngestPending, execution.Error);
        Assert.Equal(6, steps.Calls("Load"));
        Assert.Equal([60, 120, 240, 240, 240], steps.Waits.Select(w => w.TotalSeconds));
        Assert.Equal(900, steps.Waits.Sum(w => w.TotalSeconds));
    }

    [Fact]
    public async Task A_load_confirmed_on_the_third_look_waited_180_seconds()
    {
        var steps = new FakeSteps { Failure = ("Load", new PipelineException(ErrorNames.IngestPending, "not yet"), 2) };

        var execution = await steps.Runner().RunAsync(new JsonObject());

        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
        Assert.Equal([60, 120], steps.Waits.Select(w => w.TotalSeconds));
        Assert.Equal(3, steps.Calls("Load"));
    }

    private static JsonObject TransientRetrier(string state) =>
        AslFile.Json["States"]![state]!["Retry"]!.AsArray()
            .Single(r => r!["ErrorEquals"]!.AsArray().Any(e => ErrorNames.Transient.Contains((string)e!)))!.AsObject();

    private static List<string> Entered(FakeSteps steps) =>
        [.. steps.Events.Where(e => e.Type == ExecutionEventType.StateEntered).Select(e => e.StateName!)];
}
