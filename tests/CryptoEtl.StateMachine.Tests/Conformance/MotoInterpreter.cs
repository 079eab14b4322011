using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CryptoEtl.StateMachine.Tests.Conformance;

/// <summary>
/// Runs every probe of <see cref="ConformanceProbes"/> through moto 5.2.1's Step Functions interpreter
/// (an implementation not written here, derived from LocalStack's) once per test run, in one python
/// process (moto_sfn.py; 25 to 40 s on the shared build machine, most of it moto parsing definitions and
/// running each execution on a thread), and hands each test its probe's outcome.
/// The python is CRYPTOETL_TEST_PYTHON, else python3, else (moto installed with pipx) the interpreter
/// named on moto_server's #! line (.ci/setup.d/10-moto.sh requires moto 5.2.1).
/// </summary>
public sealed class MotoInterpreter
{
    private readonly Lazy<Dictionary<string, Outcome>> _outcomes = new(RunAll);

    public Outcome Run(Probe probe) => _outcomes.Value[probe.Name];

    private static Dictionary<string, Outcome> RunAll()
    {
        var probes = ConformanceProbes.All;
        var batch = new JsonArray([.. probes.Select(p => (JsonNode)p.ToMotoJson())]).ToJsonString();
        var configured = Environment.GetEnvironmentVariable("CRYPTOETL_TEST_PYTHON");
        var (exit, stdout, stderr) = RunScript(string.IsNullOrEmpty(configured) ? "python3" : configured, batch);
        if (exit != 0 && string.IsNullOrEmpty(configured) && stderr.Contains("No module named 'moto'", StringComparison.Ordinal)
            && MotoServerPython() is { } python)
        {
            (exit, stdout, stderr) = RunScript(python, batch);
        }

        if (exit != 0)
        {
            throw new InvalidOperationException($"moto_sfn.py failed (exit {exit}; it needs moto 5.2.1, see .ci/setup.d/10-moto.sh):\n{stderr}");
        }

        var results = JsonNode.Parse(stdout)!.AsArray();
        return probes.Zip(results).ToDictionary(pair => pair.First.Name, pair => Outcome.FromMoto(pair.Second!));
    }

    private static (int Exit, string Stdout, string Stderr) RunScript(string python, string input)
    {
        var start = new ProcessStartInfo(python)
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Conformance", "moto_sfn.py") },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("moto_sfn.py did not finish within 3 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The python a pipx-installed moto_server runs with (its #! line), if it names one.</summary>
    private static string? MotoServerPython()
    {
        var server = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "moto_server"))
            .FirstOrDefault(File.Exists);
        var firstLine = server is null ? null : File.ReadLines(server).FirstOrDefault();
        return firstLine is not null && firstLine.StartsWith("#!", StringComparison.Ordinal) && firstLine.Contains("python", StringComparison.Ordinal)
            ? firstLine[2..].Trim()
            : null;
    }
}
