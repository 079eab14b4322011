using System.Diagnostics;
using System.Text.Json.Nodes;
using CryptoEtl.Cli;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// DATA_DIR/executions: one server per folder, records under names no execution name can shape,
/// a bad record file skipped, a failed save said and retried, and SIGTERM keeping the queue.
/// </summary>
public sealed class RecordsTests
{
    [SkippableFact]
    public async Task Names_that_look_like_paths_or_temp_files_are_kept_and_survive_a_restart()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        // Valid names on AWS (API_StartExecution's rule); the last has the folder store's temp-file shape.
        string[] names = ["..", ".hidden", ".x.json.0123456789abcdef0123456789abcdef.partial"];
        foreach (var name in names)
        {
            var arn = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", name, "--input", """{"pages":1}"""))["executionArn"]!;
            Assert.Equal("SUCCEEDED", (string)(await serve.WaitUntilClosedAsync(arn))["status"]!);
        }

        await serve.RestartAsync();

        var listed = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn);
        Assert.Equal(names.Reverse(), listed["executions"]!.AsArray().Select(e => (string)e!["name"]!));
        Assert.All(listed["executions"]!.AsArray(), e => Assert.Equal("SUCCEEDED", (string)e!["status"]!));
        var files = Directory.GetFiles(Path.Combine(serve.Data.FullPath, "executions")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([.. names.Select(ExecutionStore.FileName).Append(ExecutionStore.LockFileName).Order(StringComparer.Ordinal)], files);
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_folder_is_refused_and_says_why()
    {
        await using var first = await ServeHarness.StartAsync();
        var stderr = new StringWriter();

        var exit = await CryptoEtlApp.RunAsync(["serve", "--offline", "--data-dir", first.Data.FullPath, "--port", "0"], CliConsole.ToWriters(TextWriter.Null, stderr));

        Assert.Equal(1, exit);
        var executions = Path.Combine(first.Data.FullPath, "executions");
        Assert.Equal(
            $"cryptoetl: CryptoEtl.Configuration: another `cryptoetl serve` keeps its executions in {executions} (it holds serve.lock): stop it, or give this one another --data-dir",
            stderr.ToString().Trim());
    }

    [SkippableFact]
    public async Task A_truncated_record_is_skipped_with_a_message_and_the_rest_are_served()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        await serve.WaitUntilClosedAsync((string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "kept"))["executionArn"]!);

        // A record cut short (a crash mid-write on a file system without atomic rename, a copy interrupted).
        var cut = Path.Combine(serve.Data.FullPath, "executions", ExecutionStore.FileName("cut"));
        await File.WriteAllTextAsync(cut, """{"name":"cut","executionArn":"arn:aws:states:local:000000000000:execution:crypto_etl:cut","inp""");

        await serve.RestartAsync();

        var listed = await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn);
        Assert.Equal(["kept"], listed["executions"]!.AsArray().Select(e => (string)e!["name"]!));
        Assert.StartsWith($"cryptoetl serve: skipped {cut}: not a readable execution record (", serve.Stderr.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(cut));
    }

    [SkippableFact]
    public async Task A_record_that_cannot_be_saved_is_said_shown_and_saved_once_it_can_be()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();
        // Where the record goes, a folder: every save of it fails as a full disk's would, the others not.
        var blocked = Path.Combine(serve.Data.FullPath, "executions", ExecutionStore.FileName("blocked"));
        Directory.CreateDirectory(Path.Combine(blocked, "in-the-way"));

        var arn = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "blocked", "--input", """{"pages":1}"""))["executionArn"]!;
        Assert.Equal("SUCCEEDED", (string)(await serve.WaitUntilClosedAsync(arn))["status"]!);
        var other = (string)(await serve.AwsJsonAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "other", "--input", """{"pages":1}"""))["executionArn"]!;
        await serve.WaitUntilClosedAsync(other);

        // Later saves still land; the failed one is on stderr and on the console's home page.
        await WaitForAsync(() => File.Exists(Path.Combine(serve.Data.FullPath, "executions", ExecutionStore.FileName("other")))
            && JsonNode.Parse(File.ReadAllText(Path.Combine(serve.Data.FullPath, "executions", ExecutionStore.FileName("other"))))!["status"]!.ToString() == "SUCCEEDED");
        Assert.Contains("cryptoetl serve: could not save execution blocked, retrying: CryptoEtl.StorageUnavailable: ", serve.Stderr.ToString(), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = serve.Server.Address };
        Assert.Contains("""<p class="error" id="unsaved">1 execution record(s) could not be saved""", await http.GetStringAsync(""), StringComparison.Ordinal);

        Directory.Delete(blocked, recursive: true);

        await WaitForAsync(() => File.Exists(blocked));
        await WaitForAsync(() => JsonNode.Parse(File.ReadAllText(blocked))!["status"]!.ToString() == "SUCCEEDED");
        Assert.Contains("cryptoetl serve: saved execution blocked after all", serve.Stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"unsaved\"", await http.GetStringAsync(""), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SIGTERM_lets_the_running_execution_finish_and_the_next_start_runs_the_queued_one()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        using var data = new TempDirectory();
        // CoinGecko as recorded, held until the test lets the first request through.
        var firstCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var recorded = new HttpClient(RecordedMarket.CreateHandler());
        await using var coinGecko = await LocalHttpServer.StartAsync(async context =>
        {
            firstCall.TrySetResult();
            await release.Task;
            using var answer = await recorded.GetAsync(new Uri("https://api.coingecko.com/api/v3" + context.Request.Path + context.Request.QueryString));
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = "application/json";
            await answer.Content.CopyToAsync(context.Response.Body);
        });
        using var serve = Process.Start(CliProcess("serve", "--data-dir", data.FullPath, "--port", "0", "--coingecko-url", coinGecko.BaseAddress.ToString().TrimEnd('/'), "--rate", "60000"))!;
        try
        {
            var line = await serve.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await serve.StandardError.ReadToEndAsync());
            var endpoint = new Uri(line.Split(' ').Single(w => w.StartsWith("http://", StringComparison.Ordinal)));
            var running = JsonNode.Parse((await ServeHarness.AwsAtAsync(endpoint, "start-execution", "--state-machine-arn", ServeCommand.StateMachineArn(), "--name", "running", "--input", """{"pages":1}""")).Stdout)!;
            await firstCall.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var queued = await ServeHarness.AwsAtAsync(endpoint, "start-execution", "--state-machine-arn", ServeCommand.StateMachineArn(), "--name", "queued", "--input", """{"pages":1}""");
            Assert.Equal(0, queued.ExitCode);

            using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            string? said;
            do
            {
                said = await serve.StandardOutput.ReadLineAsync();
            }
            while (said is not null && !said.StartsWith("stopping:", StringComparison.Ordinal));
            Assert.StartsWith("stopping: execution running finishes first (a second Ctrl+C stops it)", said, StringComparison.Ordinal);
            release.SetResult();
            await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, serve.ExitCode);
            Assert.Equal(ServeHarness.ExecutionArn("running"), (string)running["executionArn"]!);
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill();
            }
        }

        // The next server (offline now) keeps the finished one and runs the queued one, under its name.
        await using var next = await ServeHarness.StartAsync(data: data);
        Assert.Equal("SUCCEEDED", (string)(await next.AwsJsonAsync("describe-execution", "--execution-arn", ServeHarness.ExecutionArn("running")))["status"]!);
        var queuedDone = await next.WaitUntilClosedAsync(ServeHarness.ExecutionArn("queued"));
        Assert.Equal("SUCCEEDED", (string)queuedDone["status"]!);
    }

    /// <summary>`dotnet cryptoetl.dll ARGS`: the CLI as built next to the tests, in a process of its own.</summary>
    private static ProcessStartInfo CliProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(CryptoEtlApp).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("COINGECKO_API_KEY");
        return start;
    }

    /// <summary>Polls a condition the server reaches on its own (a retried save); bounded.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "the condition did not hold within 10 s");
    }
}
