using System.Text.Json.Nodes;
using CryptoEtl.Testing;

namespace CryptoEtl.StateMachine.Tests;

/// <summary>
/// TimeoutSeconds on a Task and on the execution, as AWS behaves (LocalStack's AWS-validated
/// recordings): tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json
/// (test_fixed_timeout_service_lambda: the attempt ends TaskTimedOut with error States.Timeout and
/// the uncaught execution fails with that error; test_global_timeout: the execution ends TIMED_OUT,
/// DescribeExecution shows no error or cause) and error_handling/test_task_service_lambda.snapshot.json
/// (the catch_timeout case: a Catch on States.Timeout gets {"Error":"States.Timeout","Cause":""}).
/// Time is simulated: a step "runs" by waiting on the clock, so nothing sleeps.
/// </summary>
public sealed class TimeoutTests
{
    private readonly SimulatedClock _clock = new();
    private readonly List<ExecutionEvent> _events = [];
    private readonly List<TimeSpan> _waits = [];

    [Fact]
    public async Task An_attempt_past_its_TimeoutSeconds_is_States_Timeout_with_an_empty_cause_for_the_catcher()
    {
        var cancelled = false;
        var runner = Runner(Machine(task: """{"TimeoutSeconds": 5, "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Handler", "ResultPath": "$.error"}]}"""),
            async (_, ct) =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(60), _clock, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }

                return new JsonObject();
            });

        var result = await runner.RunAsync(new JsonObject());

        Assert.True(result.Succeeded);
        Assert.Equal("""{"Error":"States.Timeout","Cause":""}""", result.Output!["error"]!.ToJsonString());
        Assert.True(cancelled, "the step's token was not cancelled at the timeout");
    }

    [Fact]
    public async Task An_uncaught_timeout_fails_the_execution_with_States_Timeout_even_when_the_step_ignores_its_token()
    {
        var result = await RunHangingStepAsync(Machine(task: """{"TimeoutSeconds": 5}"""), TimeSpan.FromSeconds(5));

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("States.Timeout", result.Error);
    }

    [Theory]
    [InlineData("States.TaskFailed", 0)]
    [InlineData("States.Timeout", 2)]
    [InlineData("States.ALL", 2)]
    public async Task Only_a_retrier_naming_States_Timeout_or_States_ALL_retries_a_timeout(string errorEquals, int retries)
    {
        var attempts = System.Threading.Channels.Channel.CreateUnbounded<int>();
        var attempt = 0;
        var never = new TaskCompletionSource<JsonNode?>();
        var runner = Runner(Machine(task: $$"""{"TimeoutSeconds": 5, "Retry": [{"ErrorEquals": ["{{errorEquals}}"], "MaxAttempts": 2, "IntervalSeconds": 1}]}"""),
            (_, _) =>
            {
                attempts.Writer.TryWrite(++attempt);
                return never.Task;
            });

        var run = runner.RunAsync(new JsonObject());
        // Each attempt hangs until the clock passes its TimeoutSeconds.
        while (!run.IsCompleted && await Task.WhenAny(attempts.Reader.WaitToReadAsync().AsTask(), run) != run)
        {
            while (attempts.Reader.TryRead(out _))
            {
                _clock.Advance(TimeSpan.FromSeconds(5));
            }
        }

        var result = await run;
        Assert.Equal("States.Timeout", result.Error);
        Assert.Equal(retries + 1, attempt);
        Assert.Equal(retries, _waits.Count);
    }

    [Fact]
    public async Task A_step_within_its_TimeoutSeconds_succeeds()
    {
        var runner = Runner(Machine(task: """{"TimeoutSeconds": 5}"""), async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4), _clock, ct);
            return new JsonObject { ["done"] = true };
        });

        var result = await runner.RunAsync(new JsonObject());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Past_the_definitions_TimeoutSeconds_the_execution_is_timed_out_with_no_error_or_cause()
    {
        var definition = JsonNode.Parse(Machine(task: """{"TimeoutSeconds": 100}"""))!.AsObject();
        definition["TimeoutSeconds"] = 30;
        var result = await RunHangingStepAsync(definition.ToJsonString(), TimeSpan.FromSeconds(30));

        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.Null(result.Error);
        Assert.Null(result.Cause);
        Assert.Null(result.Output);
        Assert.Equal(ExecutionEventType.ExecutionTimedOut, _events[^1].Type);
    }

    /// <summary>
    /// Runs the definition with a Work step that never ends and ignores its token, moving the clock
    /// to just before <paramref name="limit"/> (the run must still be going), then to it.
    /// </summary>
    private async Task<ExecutionResult> RunHangingStepAsync(string definition, TimeSpan limit)
    {
        var started = new TaskCompletionSource();
        var never = new TaskCompletionSource<JsonNode?>();
        var run = Runner(definition, (_, _) =>
        {
            started.SetResult();
            return never.Task;
        }).RunAsync(new JsonObject());
        await started.Task;
        _clock.Advance(limit - TimeSpan.FromSeconds(0.1));
        Assert.False(run.IsCompleted, "the run ended before its TimeoutSeconds");
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        return await run;
    }

    private StateMachineRunner Runner(string definition, Func<JsonNode?, CancellationToken, Task<JsonNode?>> work) =>
        new(StateMachineDefinition.Parse(definition),
            new Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> { ["Work"] = work },
            new RecordingAlerts(),
            new StateMachineRunnerOptions
            {
                TimeProvider = _clock,
                Delay = (wait, _) =>
                {
                    _waits.Add(wait);
                    return Task.CompletedTask;
                },
                Random = new FixedRandom(1.0),
                OnEvent = _events.Add,
            });

    /// <summary>A Work task (with <paramref name="task"/>'s fields) that ends the execution, and a Pass "Handler".</summary>
    private static string Machine(string task)
    {
        var work = JsonNode.Parse("""{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${Work}"}, "End": true}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(task)!.AsObject())
        {
            work[key] = value!.DeepClone();
        }

        return new JsonObject
        {
            ["StartAt"] = "Work",
            ["States"] = new JsonObject { ["Work"] = work, ["Handler"] = JsonNode.Parse("""{"Type": "Pass", "End": true}""") },
        }.ToJsonString();
    }
}
