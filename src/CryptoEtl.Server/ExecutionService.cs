using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Server;

/// <summary>
/// The executions of the state machines served (crypto_etl first, then e.g. crypto_backfill): started,
/// described, listed, stopped, kept on disk. They run ONE AT A TIME, in the order started, whatever
/// their state machine: they share the DuckDB warehouse (one writer) and CoinGecko's rate limit, so
/// two at once would only wait on each other. An execution name is unique across the state machines
/// here (AWS scopes it to one state machine; the records are kept by name). An execution started
/// while another runs is RUNNING with only its ExecutionStarted event until its turn. Start dates
/// are distinct to the millisecond the API shows, so sorting by them gives the order they run in.
/// </summary>
public sealed class ExecutionService : IAsyncDisposable
{
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Aborted = "ABORTED";
    public const string TimedOut = "TIMED_OUT";

    /// <summary>Step Functions' limit on an execution input (the API's SensitiveData max length).</summary>
    public const int MaxInputLength = 256 * 1024;

    private static readonly string[] Statuses = [Running, Succeeded, Failed, TimedOut, Aborted, "PENDING_REDRIVE"];

    // AWS's execution name rule (API_StartExecution): 1-80 characters, none of these, no control characters.
    private const string ForbiddenNameCharacters = " <>{}[]?*\"#%\\^|~`$&,;:/";

    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _executions = new(StringComparer.Ordinal);
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();
    private readonly IReadOnlyList<LocalStateMachine> _machines;
    private readonly IPipelineHost _host;
    private readonly ExecutionStore _store;
    private readonly TimeProvider _time;
    private readonly Task _worker;
    private volatile bool _draining;
    private DateTimeOffset _lastStart;

    public ExecutionService(LocalStateMachine machine, IPipelineHost host, ExecutionStore store, TimeProvider time)
        : this([machine], host, store, time)
    {
    }

    public ExecutionService(IReadOnlyList<LocalStateMachine> machines, IPipelineHost host, ExecutionStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        if (machines.Count == 0 || machines.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != machines.Count)
        {
            throw new ArgumentException("one state machine at least, each with a name of its own", nameof(machines));
        }

        _machines = machines;
        _host = host;
        _store = store;
        _time = time;
        foreach (var record in store.LoadAll())
        {
            var entry = NewEntry(record);
            _executions[record.Name] = entry;
            _lastStart = record.StartDate > _lastStart ? record.StartDate : _lastStart;
            if (record.Status != Running)
            {
                continue;
            }

            if (record.Events is [{ Type: "ExecutionStarted" }])
            {
                // Queued when the previous server stopped, never begun: it keeps its place (LoadAll is oldest first).
                _queue.Writer.TryWrite(entry);
            }
            else
            {
                // Its run ended with the previous server: say so instead of pretending it still runs.
                Close(entry, Aborted, "States.Runtime", "the server stopped while this execution ran; start it again");
            }
        }

        _worker = Task.Run(RunQueueAsync);
    }

    /// <summary>The first state machine: the console's home page and the pipeline `run` runs.</summary>
    public LocalStateMachine Machine => _machines[0];

    /// <summary>All the state machines served, in the order ListStateMachines returns them.</summary>
    public IReadOnlyList<LocalStateMachine> Machines => _machines;

    /// <summary>The state machine an execution belongs to (by its ARN).</summary>
    public LocalStateMachine MachineOf(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _machines.FirstOrDefault(m => record.ExecutionArn.StartsWith(m.ExecutionArnPrefix, StringComparison.Ordinal)) ?? Machine;
    }

    /// <summary>The ARN of the execution of that name, whichever state machine it belongs to (the console's pages go by name).</summary>
    public string ExecutionArnOf(string name)
    {
        lock (_gate)
        {
            return _executions.TryGetValue(name, out var entry) ? entry.Record.ExecutionArn : Machine.ExecutionArn(name);
        }
    }

    public ExecutionRecord Start(string? stateMachineArn, string? name, string? input)
    {
        var machine = StateMachine(stateMachineArn);
        name ??= Guid.NewGuid().ToString();
        if (name.Length is < 1 or > 80 || name.Any(c => ForbiddenNameCharacters.Contains(c) || char.IsControl(c)))
        {
            throw StepFunctionsException.InvalidName(name);
        }

        input ??= "{}";
        var parsed = CheckedInput(machine, input);
        lock (_gate)
        {
            if (_executions.TryGetValue(name, out var existing))
            {
                // AWS (API_StartExecution): the same name and input as a RUNNING execution returns it;
                // a closed execution or another input is ExecutionAlreadyExists.
                if (existing.Record.Status == Running && JsonNode.DeepEquals(JsonNode.Parse(existing.Record.Input), parsed))
                {
                    return Snapshot(existing.Record);
                }

                throw StepFunctionsException.ExecutionAlreadyExists(existing.Record.ExecutionArn);
            }

            var record = new ExecutionRecord
            {
                Name = name,
                ExecutionArn = machine.ExecutionArn(name),
                Input = input,
                Status = Running,
                StartDate = NextStartDate(),
            };
            var entry = NewEntry(record);
            _executions[name] = entry;
            entry.Recorder.ExecutionStarted();
            _queue.Writer.TryWrite(entry);
            _store.Save(record, _gate);
            return Snapshot(record);
        }
    }

    /// <summary>The execution input parsed, or the error AWS gives (too long, not JSON), or the pipeline's own (a misspelt field).</summary>
    private JsonNode? CheckedInput(LocalStateMachine machine, string input)
    {
        if (input.Length > MaxInputLength)
        {
            throw StepFunctionsException.Validation(
                $"1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to {MaxInputLength}");
        }

        JsonNode? parsed;
        try
        {
            // A key given twice has no single meaning (RFC 8259 section 4: names SHOULD be unique); the runner would fail on it later.
            parsed = JsonNode.Parse(input, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw StepFunctionsException.InvalidExecutionInput(ex.Message);
        }

        // The pipeline's own rules on its input (a misspelt field), as `cryptoetl run` applies them.
        return (machine.CheckInput ?? _host.CheckInput)(parsed) is { } problem ? throw StepFunctionsException.InvalidExecutionInput(problem) : parsed;
    }

    public ExecutionRecord Describe(string? executionArn)
    {
        var entry = Find(executionArn);
        lock (_gate)
        {
            return Snapshot(entry.Record);
        }
    }

    /// <summary>Newest first, as ListExecutions returns them.</summary>
    public IReadOnlyList<ExecutionRecord> List(string? stateMachineArn, string? statusFilter)
    {
        var machine = StateMachine(stateMachineArn);
        if (statusFilter is not null && !Statuses.Contains(statusFilter, StringComparer.Ordinal))
        {
            throw StepFunctionsException.Validation(
                $"1 validation error detected: Value '{statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Statuses)}]");
        }

        lock (_gate)
        {
            return [.. _executions.Values.Where(e => e.Machine == machine).Select(e => e.Record)
                .Where(r => statusFilter is null || r.Status == statusFilter)
                .OrderByDescending(r => r.StartDate).ThenByDescending(r => r.Name, StringComparer.Ordinal)
                .Select(Snapshot)];
        }
    }

    /// <summary>The state the execution is in now and since when; null when it is between states or closed.</summary>
    public (string State, DateTimeOffset Since)? CurrentState(string executionArn)
    {
        var entry = Find(executionArn);
        lock (_gate)
        {
            return entry.Record.Status == Running ? entry.Recorder.Current : null;
        }
    }

    public DateTimeOffset Stop(string? executionArn, string? error, string? cause)
    {
        var entry = Find(executionArn);
        lock (_gate)
        {
            if (entry.Record.Status == Running)
            {
                Close(entry, Aborted, error, cause);
                entry.Stop.Cancel();
            }

            return entry.Record.StopDate!.Value;
        }
    }

    /// <summary>The name of the execution running now (not waiting its turn), or null.</summary>
    public string? RunningNow { get; private set; }

    /// <summary>
    /// Stops taking executions from the queue and waits for the running one to finish, as
    /// `schedule` does; the queued ones stay RUNNING (with only ExecutionStarted) on disk and the
    /// next server runs them, in the same order. <paramref name="abandon"/> cancels the running
    /// one instead (a second signal); its record then says the server stopped while it ran.
    /// </summary>
    public async Task DrainAsync(CancellationToken abandon)
    {
        _draining = true;
        _queue.Writer.TryComplete();
        await using (abandon.Register(_abandon.Cancel))
        {
            await _worker;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Before the cancel: the worker must not take the next queued execution once the running one ends.
        _draining = true;
        await _abandon.CancelAsync();
        await DrainAsync(CancellationToken.None);
        foreach (var entry in _executions.Values)
        {
            entry.Stop.Dispose();
        }

        _abandon.Dispose();
    }

    private DateTimeOffset NextStartDate()
    {
        // Under _gate. Clients see milliseconds: two starts in one millisecond would tie, and a sort by start date would not be the run order.
        var now = _time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        _lastStart = now > _lastStart ? now : _lastStart.AddMilliseconds(1);
        return _lastStart;
    }

    private async Task RunQueueAsync()
    {
        await foreach (var entry in _queue.Reader.ReadAllAsync())
        {
            if (_draining)
            {
                // Left RUNNING with only ExecutionStarted on disk: the next server runs them.
                continue;
            }

            lock (_gate)
            {
                if (entry.Record.Status != Running)
                {
                    continue;
                }
            }

            RunningNow = entry.Record.Name;
            await RunAsync(entry);
            RunningNow = null;
        }
    }

    private async Task RunAsync(Entry entry)
    {
        // A stopped execution's runner lets go of its Task at once, as AWS does, while the function
        // itself unwinds or commits (and holds its step's lease): the next execution waits for that.
        var invocations = new List<Task>();
        var runner = Runner(entry.Machine, entry.Recorder, invocations);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(entry.Stop.Token, _abandon.Token);
        try
        {
            var result = await runner.RunAsync(JsonNode.Parse(entry.Record.Input), entry.Record.Name, linked.Token);
            lock (_gate)
            {
                // A stop that came while the last state finished stays a stop: AWS never changes a stopped execution's status.
                if (entry.Record.Status == Running)
                {
                    entry.Record.Output = result.Output?.ToJsonString();
                    SetClosed(entry.Record, result.Status switch
                    {
                        ExecutionStatus.Succeeded => Succeeded,
                        ExecutionStatus.TimedOut => TimedOut,
                        _ => Failed,
                    }, result.Error, result.Cause);
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Stopped: StopExecution already closed it. Shutting down: it stays RUNNING on disk.
        }
#pragma warning disable CA1031 // Whatever breaks inside one execution fails that execution, not the server.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                if (entry.Record.Status == Running)
                {
                    entry.Recorder.OnRunnerEvent(new ExecutionEvent(ExecutionEventType.ExecutionFailed, _time.GetUtcNow(), null)
                    {
                        Error = "States.Runtime",
                        Cause = ex.Message,
                    });
                    SetClosed(entry.Record, Failed, "States.Runtime", ex.Message);
                }
            }
        }

        _store.Save(entry.Record, _gate);
        Task[] running;
        lock (invocations)
        {
            running = [.. invocations];
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>A runner over the machine's functions (the host's unless it brings its own) that records the history and keeps each invocation's Task in <paramref name="invocations"/>.</summary>
    private StateMachineRunner Runner(LocalStateMachine machine, HistoryRecorder recorder, List<Task> invocations)
    {
        Func<JsonNode?, CancellationToken, Task<JsonNode?>> Tracked(Func<JsonNode?, CancellationToken, Task<JsonNode?>> function) => (payload, ct) =>
        {
            var invocation = function(payload, ct);
            lock (invocations)
            {
                invocations.Add(invocation);
            }

            return invocation;
        };
        var functions = (machine.Functions ?? _host.Functions).ToDictionary(f => f.Key, f => Tracked(recorder.Wrap(f.Key, f.Value)), StringComparer.Ordinal);
        return new StateMachineRunner(machine.Definition, functions, recorder.Wrap(_host.Alerts), new StateMachineRunnerOptions
        {
            OnEvent = recorder.OnRunnerEvent,
            TimeProvider = _time,
            StateMachineName = machine.Name,
        });
    }

    private void Close(Entry entry, string status, string? error, string? cause)
    {
        lock (_gate)
        {
            entry.Recorder.Aborted(_time.GetUtcNow(), error, cause);
            SetClosed(entry.Record, status, error, cause);
        }

        _store.Save(entry.Record, _gate);
    }

    private void SetClosed(ExecutionRecord record, string status, string? error, string? cause)
    {
        record.Status = status;
        record.StopDate = _time.GetUtcNow();
        record.Error = error;
        record.Cause = cause;
    }

    private Entry NewEntry(ExecutionRecord record)
    {
        var machine = MachineOf(record);
        var recorder = new HistoryRecorder(machine, record, _gate, _time, () => _store.Save(record, _gate));
        return new Entry(record, machine, recorder, new CancellationTokenSource());
    }

    private Entry Find(string? executionArn)
    {
        if (string.IsNullOrEmpty(executionArn) || !IsArn(executionArn, "execution"))
        {
            throw StepFunctionsException.InvalidArn(executionArn);
        }

        lock (_gate)
        {
            return _machines.FirstOrDefault(m => executionArn.StartsWith(m.ExecutionArnPrefix, StringComparison.Ordinal)) is { } machine
                && _executions.TryGetValue(executionArn[machine.ExecutionArnPrefix.Length..], out var entry)
                && entry.Machine == machine
                ? entry
                : throw StepFunctionsException.ExecutionDoesNotExist(executionArn);
        }
    }

    public void CheckStateMachineArn(string? stateMachineArn) => StateMachine(stateMachineArn);

    /// <summary>The state machine of that ARN: InvalidArn or StateMachineDoesNotExist otherwise.</summary>
    public LocalStateMachine StateMachine(string? stateMachineArn)
    {
        if (string.IsNullOrEmpty(stateMachineArn) || !IsArn(stateMachineArn, "stateMachine"))
        {
            throw StepFunctionsException.InvalidArn(stateMachineArn);
        }

        return _machines.FirstOrDefault(m => m.Arn == stateMachineArn) ?? throw StepFunctionsException.StateMachineDoesNotExist(stateMachineArn);
    }

    /// <summary>arn:PARTITION:states:REGION:ACCOUNT:KIND:NAME[:...].</summary>
    private static bool IsArn(string arn, string kind)
    {
        var parts = arn.Split(':');
        return parts.Length >= 7 && parts[0] == "arn" && parts[1].Length > 0 && parts[2] == "states" && parts[5] == kind && parts[6].Length > 0;
    }

    private static ExecutionRecord Snapshot(ExecutionRecord record) => record with { Events = [.. record.Events] };

    private sealed record Entry(ExecutionRecord Record, LocalStateMachine Machine, HistoryRecorder Recorder, CancellationTokenSource Stop);

    /// <summary>Opaque page tokens: the offset into the list, base64.</summary>
    public static string PageToken(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));

    public static int PageOffset(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(7), out var offset) && offset >= 0
                ? offset
                : throw StepFunctionsException.InvalidToken(token);
        }
        catch (FormatException)
        {
            throw StepFunctionsException.InvalidToken(token);
        }
    }
}
