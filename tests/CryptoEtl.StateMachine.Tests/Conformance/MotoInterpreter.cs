using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CryptoEtl.StateMachine.Tests.Conformance;

/// <summary>
/// Runs every probe of <see cref="ConformanceProbes"/> through moto 5.2.1's Step Functions interpreter
/// (an implementation not written here, derived from LocalStack's) once per test run, in one python3
/// process (moto_sfn.py; 10 to 30 s, most of it moto parsing definitions and running each execution on a thread), and hands each test its probe's outcome.
/// The python with moto is CRYPTOETL_TEST_PYTHON, else python3 (.ci/setup.d/10-moto.sh installs moto 5.2.1).
/// </summary>
public sealed class MotoInterpreter
{
    private readonly Lazy<Dictionary<string, Outcome>> _outcomes = new(RunAll);

    public Outcome Run(Probe probe) => _outcomes.Value[probe.Name];

    private static Dictionary<string, Outcome> RunAll()
    {
        var python = Environment.GetEnvironmentVariable("CRYPTOETL_TEST_PYTHON") is { Length: > 0 } configured ? configured : "python3";
        var script = Path.Combine(AppContext.BaseDirectory, "Conformance", "moto_sfn.py");
        var start = new ProcessStartInfo(python)
        {
            ArgumentList = { script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var probes = ConformanceProbes.All;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var batch = new JsonArray([.. probes.Select(p => (JsonNode)p.ToMotoJson())]).ToJsonString();
        process.StandardInput.Write(batch);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("moto_sfn.py did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"moto_sfn.py failed (exit {process.ExitCode}; needs moto 5.2.1 for {python}, see .ci/setup.d/10-moto.sh):\n{stderr.Result}");
        }

        var results = JsonNode.Parse(stdout.Result)!.AsArray();
        return probes.Zip(results).ToDictionary(pair => pair.First.Name, pair => Outcome.FromMoto(pair.Second!));
    }
}
