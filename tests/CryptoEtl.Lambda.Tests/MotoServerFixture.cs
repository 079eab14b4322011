using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CryptoEtl.Lambda.Tests;

/// <summary>
/// An S3/SSM-compatible moto_server on 127.0.0.1: the one CI started (CRYPTOETL_TEST_MOTO_URL) or
/// one started here on a free port for the test run. Credentials are test/test.
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    private Process? _process;

    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("CRYPTOETL_TEST_MOTO_URL") is { Length: > 0 } url)
        {
            Url = new Uri(url);
            return;
        }

        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _process = Process.Start(new ProcessStartInfo("moto_server", $"-H 127.0.0.1 -p {port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start moto_server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient();
        var giveUp = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "moto-api/"));
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < giveUp && !_process.HasExited)
            {
                // Waiting for the server to listen, not timing anything.
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
