using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using CryptoEtl.RecordedCoinGecko;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// The AWS deployment, rehearsed as a first deployer would do it, in one moto_server
/// (Rehearsal/recording_moto_server.py: moto 5.2.1 that also logs every IAM decision it makes):
/// infra/template.yaml packaged and translated by aws-sam-translator for the COPY, Snowpipe and
/// schedule-on parameter sets and created in moto's CloudFormation (Rehearsal/deploy_to_moto.py,
/// which checks each created definition, crypto_etl's and crypto_backfill's, their Tasks' functions and the alert rule); then, with IAM
/// enforcement on, `cryptoetl extract`, `transform` and `load` (DuckDB, and Snowflake against the
/// fake), each as an IAM user holding exactly its function's role policies as moto's IAM holds
/// them, and Extract's shrink re-run, which must be refused and keep every stored coin, and an
/// Extract overlapping another (its lease held), which must be refused.
/// Any AccessDenied fails, and so does a granted action no step used unless named below.
/// What moto does not enforce, and so this does not prove (docs/deploy.md, "The deployment rehearsal"):
/// - IAM conditions on S3 (s3:prefix on Extract's ListBucket, the bucket policy's
///   aws:SecureTransport): moto ignores condition keys it has no value for
///   (moto/iam/access_control.py, IAMPolicyStatement._check_conditions);
/// - SSM resource scoping: moto authorizes SSM actions against Resource "*", so the users get the
///   SSM statement on "*" (TemplateTests checks the exact parameter ARN); KMS is not in the path;
/// - resource types moto's CloudFormation skips: AWS::S3::BucketPolicy, AWS::SNS::Subscription,
///   AWS::SNS::TopicPolicy, AWS::Scheduler::Schedule (asserted, so a change is noticed);
/// - a HEAD of a missing key: moto answers 404 whatever ListBucket says (S3 answers 403 without it).
/// The Lambda functions' own SSM reads (SsmParameterReader) are made here as each user, then the
/// CLI step gets the secret the way the CLI takes it (COINGECKO_API_KEY, SNOWFLAKE_PRIVATE_KEY_PATH).
/// </summary>
public sealed class DeploymentRehearsalTests : IAsyncLifetime
{
    private const string FetchTime = "2026-12-07T12:00:00Z";
    private const string CoinGeckoKeyParameter = "/cryptoetl/coingecko-api-key";
    private const string SnowflakeKeyParameter = "/cryptoetl/snowflake-private-key";
    private const string CoinGeckoKey = "CG-rehearsal-key";
    private const string Table = "CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA";
    private static readonly int RecordedCoins = RecordedMarket.CoinCount;

    // Fewer than half the recorded coins: the shrink rule refuses it (docs/extract.md).
    private static readonly int ShrunkCoins = (RecordedCoins / 2) - 1;

    /// <summary>Granted actions no CLI step can use, and why each stays.</summary>
    private static readonly Dictionary<string, string> UsedOutsideTheSteps = new(StringComparer.Ordinal)
    {
        ["logs:CreateLogStream"] = "Lambda's runtime writes the function's output to its log group with the function's role; no step calls CloudWatch Logs",
        ["logs:PutLogEvents"] = "the same: Lambda's runtime, not the step",
        ["xray:PutTraceSegments"] = "Tracing: Active, Lambda sends the function's segments with its role",
        ["xray:PutTelemetryRecords"] = "the same: Lambda's tracing, not the step",
        ["s3:AbortMultipartUpload"] = "used only when a multipart upload fails (S3ObjectStore.PutAsync aborts it); every upload here succeeds",
    };

    private static readonly string[] SkippedByMoto =
        ["AWS::S3::BucketPolicy", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy", "AWS::Scheduler::Schedule"];

    // Three stacks in one account: each names its operators' policy (IAM names are per account).
    private static readonly Dictionary<string, Dictionary<string, string>> ParameterSets = new(StringComparer.Ordinal)
    {
        ["copy"] = new()
        {
            ["SnowflakeAccount"] = "myorg-myaccount",
            ["CoinGeckoApiKeyParameterName"] = CoinGeckoKeyParameter,
        },
        ["snowpipe"] = new()
        {
            ["SnowflakeAccount"] = "myorg-myaccount",
            ["OperatorPolicyName"] = "snowpipe-operator",
            ["SnowpipeNotificationChannel"] = "arn:aws:sqs:us-east-1:123456789012:sf-snowpipe-rehearsal",
        },
        ["schedule"] = new()
        {
            ["SnowflakeAccount"] = "myorg-myaccount",
            ["OperatorPolicyName"] = "schedule-operator",
            ["ScheduleEnabled"] = "true",
            ["ScheduleExpression"] = "cron(0 */6 * * ? *)",
            ["AlertEmail"] = "ops@example.com",
        },
    };

    private readonly TempDirectory _dir = new();
    private Process _moto = null!;
    private Uri _endpoint = null!;
    private string _authLog = null!;

    private static string RehearsalDir => Path.Combine(CfnTemplate.RepoRoot, "tests", "CryptoEtl.Infra.Tests", "Rehearsal");

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        _authLog = _dir.Combine("iam-decisions.jsonl");
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { Path.Combine(RehearsalDir, "recording_moto_server.py"), _authLog, "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _moto = Process.Start(start)!;
        _moto.OutputDataReceived += (_, _) => { };
        _moto.ErrorDataReceived += (_, _) => { };
        _moto.BeginOutputReadLine();
        _moto.BeginErrorReadLine();
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_moto.HasExited, "the recording moto_server exited before answering");
            try
            {
                using var response = await http.GetAsync(new Uri(_endpoint, "/moto-api/data.json"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the recording moto_server did not answer within 60 s");
            await Task.Delay(200);
        }
    }

    public Task DisposeAsync()
    {
        if (!_moto.HasExited)
        {
            _moto.Kill(entireProcessTree: true);
            _moto.WaitForExit();
        }

        _moto.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Each_step_runs_under_exactly_its_functions_policy_on_the_deployed_stack_and_the_shrink_rerun_is_refused()
    {
        var deployed = await DeployAsync();
        foreach (var (name, _) in ParameterSets)
        {
            var stack = deployed["stacks"]![name]!;
            Assert.Equal(SkippedByMoto, stack["skipped_by_moto"]!.AsArray().Select(t => t!.GetValue<string>()));
            Assert.Equal(3, stack["functions"]!.AsArray().Count);
            // Both state machines created, the backfill's Map tasks on the stack's functions (deploy_to_moto.py checks each).
            var machines = stack["state_machines"]!.AsObject();
            Assert.Equal(["BackfillStateMachine", "CryptoEtlStateMachine"], machines.Select(m => m.Key).Order(StringComparer.Ordinal));
            Assert.Contains(":stateMachine:", machines["BackfillStateMachine"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotEqual(machines["BackfillStateMachine"]!.GetValue<string>(), machines["CryptoEtlStateMachine"]!.GetValue<string>());
        }

        var copy = deployed["stacks"]!["copy"]!;
        var bucket = copy["bucket"]!.GetValue<string>();
        var users = copy["users"]!;
        var extract = User(users["ExtractFunction"]!);
        var transform = User(users["TransformFunction"]!);
        var load = User(users["LoadFunction"]!);

        // Extract: its SSM read as the function makes it, then the step.
        Assert.Equal(CoinGeckoKey, await ReadSecretAsync(extract, CoinGeckoKeyParameter));
        var extracted = await StepAsync(extract, bucket, new() { [SettingNames.CoinGeckoApiKey] = CoinGeckoKey },
            "extract", "--offline", "--input", $$"""{"pages":1,"fetch_time":"{{FetchTime}}"}""");
        Assert.Equal(RecordedCoins, extracted["coins"]!.GetValue<int>());
        var rawKey = extracted["raw_key"]!.GetValue<string>();

        var transformed = await StepAsync(transform, bucket, [], "transform", "--input", $$"""{"raw_key":"{{rawKey}}"}""");
        var csvKey = transformed["csv_key"]!.GetValue<string>();
        var rows = transformed["rows"]!.GetValue<int>();
        Assert.Equal(RecordedCoins, rows);
        var loadInput = $$"""{"csv_key":"{{csvKey}}","fetch_time":"{{FetchTime}}","expected_rows":{{rows}}}""";

        // Load into DuckDB, then into Snowflake (the fake), both as Load.
        var loadedLocally = await StepAsync(load, bucket, [], "load", "--data-dir", _dir.FullPath, "--input", loadInput);
        Assert.Equal(rows, loadedLocally["rows_loaded"]!.GetValue<int>());
        var duckRows = (await DuckDbQuery.RunAsync(_dir.Combine("warehouse.duckdb"), "SELECT count(*) FROM crypto_data", default)).Rows.Single()[0];
        Assert.Equal(rows.ToString(CultureInfo.InvariantCulture), Convert.ToString(duckRows, CultureInfo.InvariantCulture));

        var pem = await ReadSecretAsync(load, SnowflakeKeyParameter);
        var keyFile = _dir.Combine("snowflake_key.p8");
        await File.WriteAllTextAsync(keyFile, pem);
        await using (var snowflake = await FakeSnowflake.StartAsync(
                         $"MYORG-MYACCOUNT.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}", "MYORG-MYACCOUNT.CRYPTO_ETL_LOADER_USER", TimeProvider.System))
        {
            snowflake.On("POST", FakeSnowflake.StatementsPath, Responses.MultiStatementDone());
            snowflake.On("GET", $"{FakeSnowflake.StatementsPath}/{Responses.CopyHandle}", Responses.CopyResult(rows, 0, rows));
            var loaded = await StepAsync(load, bucket,
                new()
                {
                    [SettingNames.SnowflakeAccount] = "myorg-myaccount",
                    [SettingNames.SnowflakeUser] = "CRYPTO_ETL_LOADER_USER",
                    [SettingNames.SnowflakeWarehouse] = "CRYPTO_ETL_WH",
                    [SettingNames.SnowflakeRole] = "CRYPTO_ETL_LOADER",
                    [SettingNames.SnowflakePrivateKeyPath] = keyFile,
                    [SettingNames.SnowflakeApiUrl] = snowflake.BaseAddress.ToString(),
                },
                "load", "--warehouse", "snowflake", "--input", loadInput);
            Assert.Equal(rows, loaded["rows_loaded"]!.GetValue<int>());
            Assert.Empty(snowflake.Problems);
            // COPY mode first asks SHOW PIPES (a pipe feeding the table refuses a COPY), then loads once.
            var statements = snowflake.Requests.Where(r => r.Method == "POST").Select(r => r.Body).ToList();
            Assert.Contains("SHOW PIPES IN SCHEMA", statements[0], StringComparison.Ordinal);
            Assert.Contains($"COPY INTO {Table}", Assert.Single(statements, s => s.Contains("COPY INTO", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        // The shrink re-run as Extract: fewer than half the coins the fetch time holds is refused.
        var (exit, _, error) = await RunCliAsync(extract, bucket, new() { [SettingNames.CoinGeckoApiKey] = CoinGeckoKey },
            "extract", "--offline", "--input", $$"""{"pages":1,"per_page":{{ShrunkCoins}},"fetch_time":"{{FetchTime}}"}""");
        Assert.NotEqual(0, exit);
        Assert.Contains($"{ErrorNames.InvalidInput}: {rawKey} already holds {RecordedCoins} coins and this run got {ShrunkCoins}", error, StringComparison.Ordinal);
        Assert.Equal(RecordedCoins, await StoredCoinsAsync(User(deployed["admin"]!), bucket, rawKey));


        // An overlapping execution: while another Extract holds the lease, this one is refused before it starts.
        var admin = User(deployed["admin"]!);
        using (var s3 = new AmazonS3Client(admin.Credentials, new AmazonS3Config { ServiceURL = _endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            var held = $$"""{"holder":"another-execution","expires":"{{DateTimeOffset.UtcNow.AddMinutes(10):yyyy-MM-ddTHH:mm:ssZ}}"}""";
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = StepLease.KeyOf("extract"), ContentBody = held });
            var (busyExit, _, busy) = await RunCliAsync(extract, bucket, new() { [SettingNames.CoinGeckoApiKey] = CoinGeckoKey },
                "extract", "--offline", "--input", """{"pages":1}""");
            Assert.NotEqual(0, busyExit);
            Assert.Contains($"{ErrorNames.AlreadyRunning}: another extract is running", busy, StringComparison.Ordinal);
            await s3.DeleteObjectAsync(bucket, StepLease.KeyOf("extract"));
        }

        // Every decision moto made for the three users: none denied, every grant used or named.
        var decisions = File.ReadLines(_authLog).Select(line => JsonNode.Parse(line)!).ToList();
        foreach (var (function, user) in new[] { ("ExtractFunction", extract), ("TransformFunction", transform), ("LoadFunction", load) })
        {
            var mine = decisions.Where(d => d["key"]!.GetValue<string>() == user.AccessKey).ToList();
            Assert.Empty(mine.Where(d => !d["allowed"]!.GetValue<bool>()).Select(d => $"{function}: denied {d["action"]} on {d["resource"]}"));
            var used = mine.Select(d => d["action"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var granted = users[function]!["granted"]!.AsArray().Select(g => g!["action"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            Assert.Empty(granted.Where(a => !used.Contains(a) && !UsedOutsideTheSteps.ContainsKey(a)).Select(a => $"{function}: {a} granted, never used"));
            Assert.Empty(used.Where(a => !granted.Contains(a)).Select(a => $"{function}: {a} used without a grant"));
        }
    }

    // ---------------------------------------------------------------- helpers

    private sealed record AwsUser(string AccessKey, string SecretKey)
    {
        public AWSCredentials Credentials => new BasicAWSCredentials(AccessKey, SecretKey);
    }

    private static AwsUser User(JsonNode node) =>
        new(node["access_key"]!.GetValue<string>(), node["secret_key"]!.GetValue<string>());

    private async Task<JsonNode> DeployAsync()
    {
        var request = new JsonObject
        {
            ["stacks"] = JsonSerializer.SerializeToNode(ParameterSets),
            ["run_as"] = "copy",
            ["ssm"] = new JsonObject { [CoinGeckoKeyParameter] = CoinGeckoKey, [SnowflakeKeyParameter] = TestKeys.PrivatePem },
        };
        var requestPath = _dir.Combine("request.json");
        await File.WriteAllTextAsync(requestPath, request.ToJsonString());
        var (exit, output, error) = await RunAsync("python3", [Path.Combine(RehearsalDir, "deploy_to_moto.py"), _endpoint.ToString().TrimEnd('/'), CfnTemplate.RepoRoot, requestPath], new());
        Assert.True(exit == 0, "deploy_to_moto.py failed: " + error);
        return JsonNode.Parse(output)!;
    }

    private async Task<string> ReadSecretAsync(AwsUser user, string name)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(user.Credentials,
            new AmazonSimpleSystemsManagementConfig { ServiceURL = _endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        using var reader = new SsmParameterReader(ssm);
        return await reader.GetSecureStringAsync(name, default);
    }

    private async Task<int> StoredCoinsAsync(AwsUser admin, string bucket, string key)
    {
        using var s3 = new AmazonS3Client(admin.Credentials,
            new AmazonS3Config { ServiceURL = _endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var bytes = await new S3ObjectStore(s3, bucket).ReadAllBytesAsync(key, default);
        using var raw = JsonDocument.Parse(bytes);
        return raw.RootElement.GetProperty(RawSnapshot.Metadata).GetProperty(RawSnapshot.Coins).GetInt32();
    }

    /// <summary>A step's output JSON; a non-zero exit fails with its stderr.</summary>
    private async Task<JsonNode> StepAsync(AwsUser user, string bucket, Dictionary<string, string> environment, params string[] args)
    {
        var (exit, output, error) = await RunCliAsync(user, bucket, environment, args);
        Assert.True(exit == 0, $"cryptoetl {args[0]} exited {exit}: {error}");
        return JsonNode.Parse(output)!;
    }

    /// <summary>`cryptoetl` as a child process holding only this user's keys.</summary>
    private Task<(int Exit, string Output, string Error)> RunCliAsync(AwsUser user, string bucket, Dictionary<string, string> environment, params string[] args)
    {
        var all = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = user.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = user.SecretKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        return RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cryptoetl.dll"), .. args, "--store", $"s3://{bucket}", "--s3-endpoint", _endpoint.ToString()],
            all);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string program, string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing of the developer's own AWS setup reaches the child.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
