using System.Diagnostics;
using System.Text.Json.Nodes;
using CryptoEtl.Cli;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Server.Tests;

/// <summary>
/// `cryptoetl serve` composed exactly as the command composes it (<see cref="ServeCommand.StartAsync"/>),
/// on a free loopback port over a temp data folder, and the real clients pointed at it with dummy
/// credentials and no config files, so nothing leaves the machine.
/// </summary>
public sealed class ServeHarness : IAsyncDisposable
{
    private ServeHarness(TempDirectory data, ConsoleServer server, PipelineSettings settings, TextWriter stderr)
    {
        Data = data;
        Server = server;
        Settings = settings;
        Stderr = stderr;
    }

    /// <summary>What the server wrote on stderr (records it skipped or could not save).</summary>
    public TextWriter Stderr { get; }

    public TempDirectory Data { get; }

    public ConsoleServer Server { get; private set; }

    public PipelineSettings Settings { get; }

    public string StateMachineArn { get; } = ServeCommand.StateMachineArn();

    public static string ExecutionArn(string name) => $"arn:aws:states:local:000000000000:execution:crypto_etl:{name}";

    /// <summary>The aws CLI on PATH, or null.</summary>
    public static string? AwsCli { get; } = Which("aws");

    public static string SkipReason => "the aws CLI is not installed (.ci/setup.d/20-aws-clients.sh installs it: pip install awscli boto3)";

    /// <summary>Offline (the recorded market) unless a CoinGecko stand-in is given.</summary>
    public static async Task<ServeHarness> StartAsync(Uri? coinGecko = null, TempDirectory? data = null)
    {
        data ??= new TempDirectory();
        var settings = SettingsFor(data, coinGecko);
        var stderr = new StringWriter();
        var server = await ServeCommand.StartAsync(settings, new ConsoleServerOptions { Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Synchronized(stderr)), CancellationToken.None);
        return new ServeHarness(data, server, settings, stderr);
    }

    /// <summary>A server composed by the test (e.g. over a pipeline host of its own) on <paramref name="data"/>.</summary>
    public static ServeHarness Over(TempDirectory data, ConsoleServer server, PipelineSettings settings, TextWriter stderr) =>
        new(data, server, settings, stderr);

    /// <summary>The settings the harness runs with: offline unless a CoinGecko stand-in is given.</summary>
    public static PipelineSettings SettingsFor(TempDirectory data, Uri? coinGecko = null) => new()
    {
        DataDir = data.FullPath,
        Offline = coinGecko is null,
        Given = coinGecko is null
            ? new Dictionary<string, string> { [SettingNames.CoinGeckoRatePerMinute] = "60000" }
            : new Dictionary<string, string> { [SettingNames.CoinGeckoApiUrl] = coinGecko.ToString().TrimEnd('/'), [SettingNames.CoinGeckoRatePerMinute] = "60000" },
    };

    /// <summary>Stops the server and starts a new one over the same data folder.</summary>
    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        Server = await ServeCommand.StartAsync(Settings, new ConsoleServerOptions { Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Synchronized(Stderr)), CancellationToken.None);
    }

    /// <summary>`aws --endpoint-url URL stepfunctions ARGS --output json`.</summary>
    public Task<CliResult> AwsAsync(params string[] args) => AwsAtAsync(Server.Address, args);

    /// <summary>`aws --endpoint-url ENDPOINT stepfunctions ARGS --output json`, for a server in another process.</summary>
    public static Task<CliResult> AwsAtAsync(Uri endpoint, params string[] args) =>
        RunAsync(AwsCli!, ["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json", "stepfunctions", .. args]);

    /// <summary>aws stepfunctions ARGS, which must succeed; its JSON output.</summary>
    public async Task<JsonNode> AwsJsonAsync(params string[] args)
    {
        var result = await AwsAsync(args);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr}");
        return JsonNode.Parse(result.Stdout)!;
    }

    /// <summary>describe-execution until it leaves RUNNING (bounded: each call is a real process).</summary>
    public async Task<JsonNode> WaitUntilClosedAsync(string executionArn)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var described = await AwsJsonAsync("describe-execution", "--execution-arn", executionArn);
            if ((string)described["status"]! != "RUNNING")
            {
                return described;
            }
        }

        throw new TimeoutException($"{executionArn} still RUNNING after 200 describe-execution calls");
    }

    /// <summary>python3 SCRIPT ENDPOINT: boto3 against this server.</summary>
    public Task<CliResult> PythonAsync(string script) =>
        RunAsync("python3", ["-c", script, Server.Address.ToString().TrimEnd('/'), StateMachineArn]);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Data.Dispose();
    }

    public static async Task<CliResult> RunAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Dummy credentials, no config or credential files, no instance metadata: any signature is accepted locally.
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDLOCALTEST";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local-test-secret";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment.Remove("AWS_PROFILE");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);
