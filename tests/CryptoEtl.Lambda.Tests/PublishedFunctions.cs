using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CryptoEtl.Lambda.Tests;

/// <summary>
/// The Native AOT `bootstrap` of each function. CI publishes them once before the tests
/// (.ci/setup.d, CRYPTOETL_TEST_LAMBDA_PUBLISH = artifacts/publish/&lt;rid&gt;); elsewhere the
/// first test that needs one publishes it, the same way build/package-lambdas.sh does.
/// </summary>
public static class PublishedFunctions
{
    public const string PublishVariable = "CRYPTOETL_TEST_LAMBDA_PUBLISH";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> BootstrapAsync(string function)
    {
        if (Environment.GetEnvironmentVariable(PublishVariable) is { Length: > 0 } published)
        {
            var given = Path.Combine(published, function, "bootstrap");
            return File.Exists(given) ? given : throw new FileNotFoundException($"{PublishVariable} has no {function}/bootstrap", given);
        }

        await Gate.WaitAsync();
        try
        {
            var root = RepoRoot();
            var rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            var output = Path.Combine(root, "artifacts", "publish", rid, function);
            var project = Path.Combine(root, "src", $"CryptoEtl.{char.ToUpperInvariant(function[0])}{function[1..]}");
            using var publish = Process.Start(new ProcessStartInfo("dotnet",
                ["publish", project, "-c", "Release", "-r", rid, "-o", output, "--nologo", "-v", "quiet", "-p:DebugType=none"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var log = publish.StandardOutput.ReadToEndAsync();
            var errors = publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            return publish.ExitCode == 0
                ? Path.Combine(output, "bootstrap")
                : throw new InvalidOperationException($"dotnet publish {project} failed: {await log}{await errors}");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CryptoEtl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no CryptoEtl.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A started `bootstrap` with its stdout lines collected; killed on dispose.</summary>
public sealed class FunctionProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public FunctionProcess(string bootstrap, FakeRuntimeApi api, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(bootstrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(bootstrap)!,
        };
        // Only what Lambda would set plus the given settings: nothing leaks in from the test's environment.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "test-function";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
