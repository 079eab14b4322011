using CryptoEtl.Cli;

namespace CryptoEtl.Server.Tests;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.20")]
    public async Task A_non_loopback_host_is_refused_without_allow_remote_and_says_why(string host)
    {
        using var data = new CryptoEtl.Testing.TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await CryptoEtlApp.RunAsync(["serve", "--offline", "--data-dir", data.FullPath, "--host", host, "--port", "0"], CliConsole.ToWriters(stdout, stderr));

        Assert.Equal(1, exit);
        Assert.Equal(
            $"cryptoetl: CryptoEtl.Configuration: --host {host} is not a loopback address: the console and its API check no credential, so anyone who reaches it could run the pipeline; add --allow-remote to serve it there anyway",
            stderr.ToString().Trim());
        Assert.False(Directory.Exists(Path.Combine(data.FullPath, "executions")));
    }
}
