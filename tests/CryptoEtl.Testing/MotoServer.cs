using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using CryptoEtl.Core;

namespace CryptoEtl.Testing;

/// <summary>
/// An S3- and SSM-compatible moto_server on 127.0.0.1 for tests. Uses the one CI started
/// (CRYPTOETL_TEST_MOTO_URL) or starts `moto_server -H 127.0.0.1 -p PORT` itself and stops it on
/// dispose. Use it as an xunit class fixture (<c>IClassFixture&lt;MotoServer&gt;</c>) and call
/// <see cref="CreateBucketAsync"/> in each test for a bucket of its own.
/// </summary>
/// <remarks>
/// Starting sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (test/test) and AWS_REGION (us-east-1) in
/// this test process, so code that resolves credentials through the standard AWS chain (the
/// the composition root's ObjectStores, the CLI run in-process) signs for moto and can never reach real AWS with a
/// developer's own keys. Child processes get the same through <see cref="Environment"/>.
/// </remarks>
public sealed class MotoServer : IDisposable
{
    public const string UrlVariable = "CRYPTOETL_TEST_MOTO_URL";
    public const string AccessKey = "test";
    public const string SecretKey = "test";
    public const string Region = "us-east-1";

    private const string InstallHint =
        "moto_server is needed for the S3/SSM tests and is not on PATH. Install it with " +
        "`pipx install 'moto[server]==5.2.1'` (or `pip install 'moto[server]==5.2.1'`), or start one " +
        "and set " + UrlVariable + "=http://127.0.0.1:PORT.";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process? _process;
    private readonly StringBuilder _output = new();
    private readonly Lazy<AmazonS3Client> _s3;
    private readonly Lazy<AmazonSimpleSystemsManagementClient> _ssm;

    public MotoServer()
        : this(ownProcess: false)
    {
    }

    private MotoServer(bool ownProcess)
    {
        var configured = ownProcess ? null : System.Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Endpoint = new Uri(configured.TrimEnd('/'));
        }
        else
        {
            var port = FreePort();
            Endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
            _process = Start(port);
            AppDomain.CurrentDomain.ProcessExit += StopOnExit;
        }

        foreach (var (name, value) in CredentialVariables)
        {
            System.Environment.SetEnvironmentVariable(name, value);
        }

        WaitUntilReady();
        _s3 = new Lazy<AmazonS3Client>(() => new AmazonS3Client(Credentials, new AmazonS3Config
        {
            ServiceURL = Endpoint.AbsoluteUri,
            ForcePathStyle = true,
            AuthenticationRegion = Region,
        }));
        _ssm = new Lazy<AmazonSimpleSystemsManagementClient>(() => new AmazonSimpleSystemsManagementClient(Credentials, new AmazonSimpleSystemsManagementConfig
        {
            ServiceURL = Endpoint.AbsoluteUri,
            AuthenticationRegion = Region,
        }));
    }

    /// <summary>
    /// A moto_server of its own, never CI's shared one: for a test that changes server-wide
    /// settings, such as enforcing IAM (<see cref="EnforceIamAsync"/>).
    /// </summary>
    public static MotoServer StartOwn() => new(ownProcess: true);

    /// <summary>
    /// From now on moto checks every request against the caller's IAM policies (moto's
    /// INITIAL_NO_AUTH_ACTION_COUNT, set through POST /moto-api/reset-auth). Only on a server of
    /// its own (<see cref="StartOwn"/>): the test/test keys then stop working.
    /// </summary>
    public async Task EnforceIamAsync(CancellationToken cancellationToken = default)
    {
        if (_process is null)
        {
            throw new InvalidOperationException("IAM is enforced only on a moto_server of the test's own (MotoServer.StartOwn)");
        }

        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Endpoint, "/moto-api/reset-auth"), new StringContent("0"), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>http://127.0.0.1:PORT (no trailing slash), the S3 and SSM endpoint.</summary>
    public Uri Endpoint { get; }

    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials(AccessKey, SecretKey);

    /// <summary>A path-style S3 client for arranging and asserting objects directly.</summary>
    public IAmazonS3 S3 => _s3.Value;

    /// <summary>An SSM client, e.g. to put the SecureString parameters a function reads.</summary>
    public IAmazonSimpleSystemsManagement Ssm => _ssm.Value;

    /// <summary>What a child process (the CLI, a function host) needs to use this server.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        new Dictionary<string, string>(CredentialVariables, StringComparer.Ordinal)
        {
            [SettingNames.S3Endpoint] = Endpoint.AbsoluteUri,
        };

    private static IEnumerable<KeyValuePair<string, string>> CredentialVariables =>
    [
        new("AWS_ACCESS_KEY_ID", AccessKey),
        new("AWS_SECRET_ACCESS_KEY", SecretKey),
        new("AWS_REGION", Region),
        new("AWS_DEFAULT_REGION", Region),
        // Never wait on the EC2 metadata service for credentials or region on a developer machine.
        new("AWS_EC2_METADATA_DISABLED", "true"),
    ];

    /// <summary>Creates a bucket with a fresh name (moto keeps state for the server's lifetime).</summary>
    public async Task<string> CreateBucketAsync(CancellationToken cancellationToken = default)
    {
        var bucket = $"test-{Guid.NewGuid():N}";
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken);
        return bucket;
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= StopOnExit;
        if (_s3.IsValueCreated)
        {
            _s3.Value.Dispose();
        }

        if (_ssm.IsValueCreated)
        {
            _ssm.Value.Dispose();
        }

        Stop();
        _process?.Dispose();
    }

    private Process Start(int port)
    {
        var info = new ProcessStartInfo("moto_server")
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException(InstallHint);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(InstallHint, ex);
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void WaitUntilReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            try
            {
                using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint, "/moto-api/data.json")));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = new HttpRequestException($"moto answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            if (_process is null)
            {
                // CI's server should already be up; give it the same bounded time, checking every 100 ms.
                Thread.Sleep(100);
            }
            else if (_process.WaitForExit(100))
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode} before answering on {Endpoint}:\n{Output}");
            }
        }

        Stop();
        throw new InvalidOperationException($"moto_server did not answer on {Endpoint} within {StartTimeout.TotalSeconds:0} s: {last?.Message}\n{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Keep the start of the log (where startup errors are) without growing forever.
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private void StopOnExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
