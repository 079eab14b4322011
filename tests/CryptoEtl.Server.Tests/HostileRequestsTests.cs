using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CryptoEtl.Cli;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// What a hostile web page (DNS rebinding, a null Origin), an odd name or input, and a flood of
/// large bodies get from `cryptoetl serve`.
/// </summary>
public sealed class HostileRequestsTests
{
    private const string Evil = "evil.example";

    [Fact]
    public async Task After_DNS_rebinding_every_route_is_refused_and_nothing_starts()
    {
        await using var serve = await ServeHarness.StartAsync();
        var port = serve.Server.Address.Port;
        // What a browser sends after a page at evil.example:PORT rebinds its name to 127.0.0.1.
        (string Method, string Path, string? Body, string? ContentType, string? Target)[] requests =
        [
            ("GET", "/", null, null, null),
            ("GET", "/report", null, null, null),
            ("GET", "/executions/x", null, null, null),
            ("POST", "/executions", "name=rebound&input=%7B%7D", "application/x-www-form-urlencoded", null),
            ("POST", "/", $$"""{"stateMachineArn":"{{serve.StateMachineArn}}","name":"rebound-api"}""", "application/x-amz-json-1.0", "AWSStepFunctions.StartExecution"),
            ("POST", "/", $$"""{"stateMachineArn":"{{serve.StateMachineArn}}"}""", "application/x-amz-json-1.0", "AWSStepFunctions.ListExecutions"),
        ];

        foreach (var (method, path, body, contentType, target) in requests)
        {
            var answer = await RawAsync(port, method, path, $"{Evil}:{port}", body, contentType,
                ("Origin", $"http://{Evil}:{port}"), ("Sec-Fetch-Site", "same-origin"), ("X-Amz-Target", target));
            // ASP.NET Core host filtering answers 400 to a Host it was not told to serve.
            Assert.True(answer.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), $"{method} {path}: {answer}");
        }

        Assert.Empty(serve.Server.Executions.List(serve.StateMachineArn, null));
        // The names it listens as still work.
        foreach (var host in new[] { $"127.0.0.1:{port}", $"localhost:{port}" })
        {
            Assert.StartsWith("HTTP/1.1 200 ", await RawAsync(port, "GET", "/", host, null, null), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("null", null, 403)] // a sandboxed frame or a data: page elsewhere: no Sec-Fetch-Site to vouch for it
    [InlineData("null", "cross-site", 403)]
    [InlineData("null", "same-origin", 303)] // the console's own form under Referrer-Policy: no-referrer
    [InlineData(null, null, 303)] // no browser: curl
    public async Task A_null_Origin_starts_an_execution_only_when_the_browser_says_same_origin(string? origin, string? fetchSite, int status)
    {
        await using var serve = await ServeHarness.StartAsync();
        var port = serve.Server.Address.Port;

        var answer = await RawAsync(port, "POST", "/executions", $"127.0.0.1:{port}", "name=from-form&input=%7B%22pages%22%3A1%7D", "application/x-www-form-urlencoded",
            ("Origin", origin), ("Sec-Fetch-Site", fetchSite));

        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Equal(status == 303 ? 1 : 0, serve.Server.Executions.List(serve.StateMachineArn, null).Count);
    }

    [Fact]
    public async Task A_name_with_bidi_controls_is_isolated_on_the_pages()
    {
        using var data = new TempDirectory();
        await using var server = await ServeCommand.StartAsync(new PipelineSettings { DataDir = data.FullPath, Offline = true },
            new ConsoleServerOptions { Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Null), CancellationToken.None);
        // U+202E RIGHT-TO-LEFT OVERRIDE is a format character, not a control one: AWS's name rule allows it.
        const string name = "pay\u202Egnp.exe";
        server.Executions.Start(server.Executions.Machine.Arn, name, """{"pages":1}""");
        using var http = new HttpClient { BaseAddress = server.Address };

        var home = await http.GetStringAsync("");
        var page = await http.GetStringAsync("executions/" + Uri.EscapeDataString(name));

        Assert.Contains($"<bdi>{name}</bdi></a>", home, StringComparison.Ordinal);
        Assert.Contains($"<h1><bdi>{name}</bdi></h1>", page, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_input_run_would_refuse_is_refused_at_start_as_InvalidExecutionInput()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        // `cryptoetl run --input '{"pagez":1}'` fails naming the field; so does StartExecution here.
        var misspelt = await serve.AwsAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "misspelt", "--input", """{"pagez":1}""");
        // RFC 8259 section 4: names within an object SHOULD be unique; two "pages" have no one meaning.
        var twice = await serve.AwsAsync("start-execution", "--state-machine-arn", serve.StateMachineArn, "--name", "twice", "--input", """{"pages":1,"pages":2}""");

        Assert.NotEqual(0, misspelt.ExitCode);
        Assert.Contains("An error occurred (InvalidExecutionInput) when calling the StartExecution operation: Invalid State Machine Execution Input: 'the execution input is not a valid ExtractInput: ", misspelt.Stderr, StringComparison.Ordinal);
        Assert.Contains("pagez", misspelt.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, twice.ExitCode);
        Assert.Contains("An error occurred (InvalidExecutionInput) when calling the StartExecution operation: Invalid State Machine Execution Input: '", twice.Stderr, StringComparison.Ordinal);
        Assert.Empty((await serve.AwsJsonAsync("list-executions", "--state-machine-arn", serve.StateMachineArn))["executions"]!.AsArray());
    }

    [SkippableFact]
    public async Task Request_bodies_over_the_limit_are_refused_before_they_are_read()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        // boto3 sends 16 bodies of 28 MB at once, and one just over the input limit that fits the body limit.
        var result = await serve.PythonAsync("""
            import json, sys, threading
            import boto3
            from botocore.config import Config
            from botocore.exceptions import ClientError
            endpoint, machine = sys.argv[1], sys.argv[2]
            sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}, max_pool_connections=16))
            answers, lock = [], threading.Lock()
            def call(size):
                try:
                    sfn.start_execution(stateMachineArn=machine, input=json.dumps({"pad": "x" * size}))
                    answer = None
                except ClientError as e:
                    answer = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
                except Exception as e:
                    answer = [type(e).__name__, 0]
                with lock:
                    answers.append(answer)
            threads = [threading.Thread(target=call, args=(28 * 1024 * 1024,)) for _ in range(16)]
            [t.start() for t in threads]
            [t.join() for t in threads]
            call(256 * 1024)
            print(json.dumps(answers))
            """);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var answers = JsonNode.Parse(result.Stdout)!.AsArray().Select(a => a?.ToJsonString()).ToList();
        // Kestrel's MaxRequestBodySize: 413 once the body passes 1 MiB, or the connection closed while the client still sends.
        Assert.All(answers.Take(16), a => Assert.True(a is """["ValidationException",413]""" or """["ConnectionClosedError",0]""" or """["ClientError",0]""", a));
        Assert.Contains("""["ValidationException",413]""", answers.Take(16));
        // Within the body limit, over the input limit: StartExecution's own ValidationException (the API's 262144-character input).
        Assert.Equal("""["ValidationException",400]""", answers[^1]);
        Assert.Empty(serve.Server.Executions.List(serve.StateMachineArn, null));
    }

    /// <summary>One HTTP/1.1 request over a socket, with exactly the headers given (HttpClient fixes Host itself).</summary>
    private static async Task<string> RawAsync(int port, string method, string path, string host, string? body, string? contentType, params (string Name, string? Value)[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = client.GetStream();
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers.Where(h => h.Value is not null))
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        if (contentType is not null)
        {
            request.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        request.Append("Content-Length: ").Append(bytes.Length).Append("\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
