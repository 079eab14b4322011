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

    [Theory]
    [InlineData("-1")]
    [InlineData("70000")]
    public async Task A_port_outside_TCPs_range_is_a_named_error(string port)
    {
        using var data = new CryptoEtl.Testing.TempDirectory();
        var stderr = new StringWriter();

        var exit = await CryptoEtlApp.RunAsync(["serve", "--offline", "--data-dir", data.FullPath, "--port", port], CliConsole.ToWriters(TextWriter.Null, stderr));

        Assert.Equal(1, exit);
        Assert.Equal($"cryptoetl: CryptoEtl.Configuration: --port {port} is not a TCP port: give 1 to 65535 (0 picks a free one)", stderr.ToString().Trim());
    }

    [Fact]
    public async Task A_port_in_use_is_a_named_error_and_leaves_the_folder_free_for_another_server()
    {
        await using var first = await ServeHarness.StartAsync();
        using var data = new CryptoEtl.Testing.TempDirectory();
        var stderr = new StringWriter();
        var port = first.Server.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var exit = await CryptoEtlApp.RunAsync(["serve", "--offline", "--data-dir", data.FullPath, "--port", port], CliConsole.ToWriters(TextWriter.Null, stderr));

        Assert.Equal(1, exit);
        Assert.StartsWith($"cryptoetl: CryptoEtl.Configuration: cannot listen on 127.0.0.1 port {port}: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Give another --port", stderr.ToString(), StringComparison.Ordinal);
        // The refused server let go of the folder's lock.
        await using var second = await ServeHarness.StartAsync(data: data);
    }

    [Fact]
    public async Task An_IPv4_mapped_loopback_host_serves_on_the_IPv4_address()
    {
        using var data = new CryptoEtl.Testing.TempDirectory();

        await using var server = await ServeCommand.StartAsync(new PipelineSettings { DataDir = data.FullPath, Offline = true },
            new ConsoleServerOptions { Host = "::ffff:127.0.0.1", Port = 0 }, CliConsole.ToWriters(TextWriter.Null, TextWriter.Null), CancellationToken.None);

        Assert.Equal("127.0.0.1", server.Address.Host);
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Contains("crypto_etl", await http.GetStringAsync(""), StringComparison.Ordinal);
    }
}
