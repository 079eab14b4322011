using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoEtl.Core;
using static CryptoEtl.Infra.Tests.CfnTemplate;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// infra/template.yaml checked against the files it deploys (the ASL, the Lambda zips) and the
/// rules we deploy by (least privilege, TLS-only private bucket, no secrets in the environment).
/// </summary>
public sealed partial class TemplateTests
{
    private const string Bucket = "{DataBucket.Arn}";
    private const string CoinGeckoKeyParameter = "/cryptoetl/coingecko-api-key";

    // SnowflakeAccount has no default: every deploy names its account.
    private static readonly Dictionary<string, string> Required = new(StringComparer.Ordinal)
    {
        ["SnowflakeAccount"] = "myorg-myaccount",
    };

    // Every optional part switched on, so each conditional statement is seen.
    private static readonly Dictionary<string, string> Everything = new(Required, StringComparer.Ordinal)
    {
        ["CoinGeckoApiKeyParameterName"] = CoinGeckoKeyParameter,
        ["SnowflakeStorageIntegrationUserArn"] = "arn:aws:iam::999999999999:user/abc1-s-v2st1234",
        ["SnowflakeStorageIntegrationExternalId"] = "MYORG_SFCRole=2_abcdefg=",
        ["AlertEmail"] = "ops@example.com",
        ["ScheduleEnabled"] = "true",
        ["CoinGeckoCallsPerMinute"] = "25",
        ["SnowpipeNotificationChannel"] = SnowpipeQueue,
    };

    // The form SHOW PIPES gives notification_channel (docs.snowflake.com/en/user-guide/data-load-snowpipe-auto-s3, step 4).
    private const string SnowpipeQueue = "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-AIDAEXAMPLE-abcdEFGHijkl";

    private static readonly string[] AgreedZips = ["extract", "transform", "load"];

    private static readonly Dictionary<string, string> FunctionZip = new(StringComparer.Ordinal)
    {
        ["ExtractFunction"] = "extract",
        ["TransformFunction"] = "transform",
        ["LoadFunction"] = "load",
    };

    private static string AslPath => Path.Combine(RepoRoot, "statemachine", "crypto_etl.asl.json");

    private static string PackageScriptPath => Path.Combine(RepoRoot, "build", "package-lambdas.sh");

    // ---------------------------------------------------------------- the state machine definition

    [Fact]
    public void DefinitionUri_is_the_repo_asl_file()
    {
        var machine = StateMachine(Load(Required));
        var uri = AsString(Properties(machine)["DefinitionUri"]);

        Assert.Equal("../statemachine/crypto_etl.asl.json", uri);
        Assert.Equal(Path.GetFullPath(AslPath), Path.GetFullPath(Path.Combine(RepoRoot, "infra", uri)));
    }

    [Fact]
    public void DefinitionSubstitutions_map_the_agreed_placeholders_to_the_functions()
    {
        var substitutions = MapOrEmpty(Properties(StateMachine(Load(Required))), "DefinitionSubstitutions");

        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["ExtractFunctionArn"] = "{ExtractFunction.Arn}",
                ["TransformFunctionArn"] = "{TransformFunction.Arn}",
                ["LoadFunctionArn"] = "{LoadFunction.Arn}",
            },
            substitutions);
    }

    [SkippableFact]
    public void Every_asl_placeholder_has_a_substitution_and_nothing_extra()
    {
        Skip.IfNot(File.Exists(AslPath), $"{AslPath} has not landed in this checkout yet");
        var placeholders = Placeholder().Matches(File.ReadAllText(AslPath))
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var substitutions = MapOrEmpty(Properties(StateMachine(Load(Required))), "DefinitionSubstitutions").Keys;

        Assert.NotEmpty(placeholders);
        Assert.Equal(placeholders.Order(StringComparer.Ordinal), substitutions.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void The_state_machine_role_covers_every_task_the_asl_runs()
    {
        Skip.IfNot(File.Exists(AslPath), $"{AslPath} has not landed in this checkout yet");
        var resources = new List<string>();
        void Walk(JsonNode? node)
        {
            if (node is JsonObject state && state["Type"]?.GetValue<string>() == "Task")
            {
                resources.Add(state["Resource"]!.GetValue<string>());
            }

            foreach (var child in node switch
                     {
                         JsonObject o => o.Select(p => p.Value),
                         JsonArray a => a.AsEnumerable(),
                         _ => [],
                     })
            {
                Walk(child);
            }
        }

        Walk(JsonNode.Parse(File.ReadAllText(AslPath)));

        // StateMachineRole grants lambda:InvokeFunction on the three functions and sns:Publish on
        // the alert topic; any other integration needs a grant there first.
        Assert.NotEmpty(resources);
        Assert.All(resources, r => Assert.Contains(r, new[] { "arn:aws:states:::lambda:invoke", "arn:aws:states:::sns:publish" }));
    }

    /// <summary>
    /// Bounded: each Task's TimeoutSeconds outlasts its function's own Lambda timeout by at most a
    /// minute (the function's deadline, where Extract stops and returns complete=false and Load
    /// gives up on Snowflake, comes first; the Task's bounds a hung invoke), and the execution's
    /// TimeoutSeconds lets one attempt of every step run yet ends before the default hourly
    /// schedule's next tick.
    /// </summary>
    [SkippableFact]
    public void Every_task_and_the_execution_are_bounded_by_TimeoutSeconds()
    {
        Skip.IfNot(File.Exists(AslPath), $"{AslPath} has not landed in this checkout yet");
        var asl = JsonNode.Parse(File.ReadAllText(AslPath))!;
        var template = Load(Required);
        var substitutions = MapOrEmpty(Properties(StateMachine(template)), "DefinitionSubstitutions");
        var attempts = 0;
        foreach (var (name, state) in asl["States"]!.AsObject().Where(s => s.Value!["Type"]!.GetValue<string>() == "Task"))
        {
            var taskTimeout = state!["TimeoutSeconds"]?.GetValue<int>();
            Assert.True(taskTimeout is not null, $"Task {name} has no TimeoutSeconds");
            var placeholder = Placeholder().Match(state["Parameters"]!["FunctionName"]!.GetValue<string>()).Groups[1].Value;
            var function = AsString(substitutions[placeholder]).Trim('{', '}')[..^".Arn".Length];
            var lambdaTimeout = int.Parse(AsString(Properties(template.Resources[function])["Timeout"]), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(taskTimeout!.Value, lambdaTimeout + 1, lambdaTimeout + 60);
            attempts += taskTimeout.Value;
        }

        var executionTimeout = asl["TimeoutSeconds"]?.GetValue<int>();
        Assert.True(executionTimeout is not null, "the state machine has no TimeoutSeconds");
        Assert.InRange(executionTimeout!.Value, attempts, 3600 - 1);
        Assert.Equal("rate(1 hour)", template.Parameters["ScheduleExpression"]);
    }

    [Fact]
    public void State_machine_is_standard_logged_and_traced()
    {
        var template = Load(Required);
        var properties = Properties(StateMachine(template));
        var logging = AsMap(properties["Logging"]);
        var destination = AsMap(AsMap(AsList(logging["Destinations"]).Single())["CloudWatchLogsLogGroup"]);

        Assert.Equal("STANDARD", properties["Type"]);
        Assert.Equal("ERROR", logging["Level"]);
        Assert.Equal("{StateMachineLogGroup.Arn}", destination["LogGroupArn"]);
        Assert.Equal("true", AsMap(properties["Tracing"])["Enabled"]);
        Assert.Equal("{StateMachineRole.Arn}", properties["Role"]);
        Assert.Equal("30", Properties(template.Resources["StateMachineLogGroup"])["RetentionInDays"]);
    }

    // ---------------------------------------------------------------- the backfill state machine

    private static string BackfillAslPath => Path.Combine(RepoRoot, "statemachine", "crypto_backfill.asl.json");

    [Fact]
    public void The_backfill_state_machine_runs_its_asl_over_the_same_functions_under_its_own_role_logged_and_traced()
    {
        var template = Load(Required);
        var etl = Properties(StateMachine(template));
        var backfill = Properties(StateMachine(template, "BackfillStateMachine"));

        Assert.Equal("../statemachine/crypto_backfill.asl.json", AsString(backfill["DefinitionUri"]));
        Assert.Equal(Path.GetFullPath(BackfillAslPath), Path.GetFullPath(Path.Combine(RepoRoot, "infra", AsString(backfill["DefinitionUri"]))));
        Assert.Equal(MapOrEmpty(etl, "DefinitionSubstitutions"), MapOrEmpty(backfill, "DefinitionSubstitutions"));
        var placeholders = Placeholder().Matches(File.ReadAllText(BackfillAslPath)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(placeholders.Order(StringComparer.Ordinal), MapOrEmpty(backfill, "DefinitionSubstitutions").Keys.Order(StringComparer.Ordinal));
        Assert.Equal("STANDARD", backfill["Type"]);
        Assert.Equal("{BackfillStateMachineRole.Arn}", backfill["Role"]);
        var logging = AsMap(backfill["Logging"]);
        Assert.Equal(AsMap(etl["Logging"])["Level"], logging["Level"]);
        Assert.Equal("{BackfillStateMachineLogGroup.Arn}", AsMap(AsMap(AsList(logging["Destinations"]).Single())["CloudWatchLogsLogGroup"])["LogGroupArn"]);
        Assert.Equal("30", Properties(template.Resources["BackfillStateMachineLogGroup"])["RetentionInDays"]);
        Assert.Equal("true", AsMap(backfill["Tracing"])["Enabled"]);
        // Started by hand: no schedule of its own.
        Assert.Empty(MapOrEmpty(backfill, "Events"));
    }

    /// <summary>Each Task (those inside the Map too) outlasts its function's own Lambda timeout by at most a minute.</summary>
    [Fact]
    public void Every_backfill_task_is_bounded_by_its_functions_timeout()
    {
        var template = Load(Required);
        var substitutions = MapOrEmpty(Properties(StateMachine(template, "BackfillStateMachine")), "DefinitionSubstitutions");
        var tasks = new List<(string Name, JsonNode State)>();
        void Walk(JsonObject states)
        {
            foreach (var (name, state) in states)
            {
                if ((string)state!["Type"]! == "Task")
                {
                    tasks.Add((name, state));
                }

                if (state["ItemProcessor"]?["States"] is JsonObject inner)
                {
                    Walk(inner);
                }
            }
        }

        Walk(JsonNode.Parse(File.ReadAllText(BackfillAslPath))!["States"]!.AsObject());

        Assert.Equal(["SelectCoins", "FetchCoinHistory", "TransformHistory", "LoadHistory"], tasks.Select(t => t.Name));
        foreach (var (name, state) in tasks)
        {
            var placeholder = Placeholder().Match((string)state["Parameters"]!["FunctionName"]!).Groups[1].Value;
            var function = AsString(substitutions[placeholder]).Trim('{', '}')[..^".Arn".Length];
            var lambdaTimeout = int.Parse(AsString(Properties(template.Resources[function])["Timeout"]), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange((int)state["TimeoutSeconds"]!, lambdaTimeout + 1, lambdaTimeout + 60);
        }
    }

    [Fact]
    public void Outputs_give_the_backfill_state_machine_and_its_start_command()
    {
        var outputs = Load(Required).Outputs;

        Assert.Equal("{BackfillStateMachine}", AsString(AsMap(outputs["BackfillStateMachineArn"])["Value"]));
        Assert.Equal(
            """aws stepfunctions start-execution --state-machine-arn {BackfillStateMachine} --input '{"days":365,"top":100}'""",
            AsString(AsMap(outputs["StartBackfillCommand"])["Value"]));
    }

    // ---------------------------------------------------------------- functions

    [Fact]
    public void Every_function_deploys_the_zip_the_packaging_script_writes()
    {
        var expected = ZipsThePackagingScriptWrites();
        var functions = Load(Required).ResourcesOfType("AWS::Serverless::Function").ToList();

        Assert.Equal(FunctionZip.Keys.Order(StringComparer.Ordinal), functions.Select(f => f.Key).Order(StringComparer.Ordinal));
        foreach (var (name, function) in functions)
        {
            Assert.Contains(FunctionZip[name], expected);
            Assert.Equal($"../artifacts/{FunctionZip[name]}.zip", Properties(function)["CodeUri"]);
        }
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Functions_are_aot_bootstraps_on_al2023_for_the_chosen_architecture(string architecture)
    {
        var template = Load(new Dictionary<string, string>(Required) { ["Architecture"] = architecture });
        var globals = AsMap(template.Globals["Function"]);

        Assert.Equal("provided.al2023", globals["Runtime"]);
        Assert.Equal("bootstrap", globals["Handler"]);
        Assert.Equal([architecture], AsList(globals["Architectures"]));
        foreach (var (name, function) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var properties = Properties(function);
            Assert.False(properties.ContainsKey("Runtime"), $"{name} overrides the global runtime");
            var logGroup = AsString(AsMap(properties["LoggingConfig"])["LogGroup"]);
            var logGroupName = Properties(template.Resources[logGroup.Trim('{', '}')])["LogGroupName"];
            Assert.Equal($"/aws/lambda/{StackName}-{FunctionZip[name]}", logGroupName);
        }
    }

    [Fact]
    public void Extract_may_run_for_the_full_lambda_limit()
    {
        var extract = Properties(Load(Required).Resources["ExtractFunction"]);

        Assert.Equal("900", extract["Timeout"]);
    }

    [Fact]
    public void Load_outlasts_the_snowflake_statement_timeout_and_its_polling()
    {
        var load = Properties(Load(Required).Resources["LoadFunction"]);

        // SnowflakeOptions.StatementTimeout (10 min) + the client's minute of polling past it.
        Assert.True(int.Parse(AsString(load["Timeout"]), System.Globalization.CultureInfo.InvariantCulture) > (10 + 1) * 60);
    }

    [Fact]
    public void Every_environment_variable_is_a_SettingNames_constant_and_none_holds_a_secret()
    {
        var settingNames = typeof(SettingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        var template = Load(Everything);

        var variables = template.ResourcesOfType("AWS::Serverless::Function")
            .SelectMany(f => Variables(f.Value).Keys)
            .Concat(template.Globals.TryGetValue("Function", out var globals)
                ? MapOrEmpty(MapOrEmpty(AsMap(globals), "Environment"), "Variables").Keys
                : [])
            .ToList();

        Assert.NotEmpty(variables);
        Assert.All(variables, name => Assert.Contains(name, settingNames));
        // Lambda reads secrets from SSM at run time; the environment only names the parameters.
        Assert.DoesNotContain(SettingNames.CoinGeckoApiKey, variables);
        Assert.DoesNotContain(SettingNames.SnowflakePrivateKeyPath, variables);
        Assert.DoesNotContain(SettingNames.SnowflakePrivateKeyPassphrase, variables);
    }

    [Fact]
    public void Functions_get_the_bucket_and_their_own_settings()
    {
        var template = Load(Everything);
        var extract = Variables(template.Resources["ExtractFunction"]);
        var transform = Variables(template.Resources["TransformFunction"]);
        var load = Variables(template.Resources["LoadFunction"]);

        Assert.All([extract, transform, load], v => Assert.Equal("s3://{DataBucket}", v[SettingNames.Store]));
        Assert.Equal(CoinGeckoKeyParameter, extract[SettingNames.CoinGeckoApiKeyParameter]);
        Assert.Equal("25", extract[SettingNames.CoinGeckoRatePerMinute]);
        Assert.Equal("https://api.coingecko.com/api/v3", extract[SettingNames.CoinGeckoApiUrl]);
        Assert.Equal([SettingNames.Store], transform.Keys);
        Assert.Equal("myorg-myaccount", load[SettingNames.SnowflakeAccount]);
        Assert.Equal("/cryptoetl/snowflake-private-key", load[SettingNames.SnowflakePrivateKeyParameter]);
        Assert.DoesNotContain(load.Keys, k => k.StartsWith("COINGECKO", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Snowflake_defaults_are_the_names_the_snowflake_scripts_create()
    {
        var scripts = Path.Combine(RepoRoot, "infra", "snowflake");
        Skip.IfNot(Directory.Exists(scripts), $"{scripts} has not landed in this checkout yet");
        var sql = string.Join('\n', Directory.GetFiles(scripts, "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        var load = Variables(Load(Required).Resources["LoadFunction"]);

        foreach (var setting in new[]
                 {
                     SettingNames.SnowflakeUser, SettingNames.SnowflakeRole, SettingNames.SnowflakeWarehouse,
                     SettingNames.SnowflakeDatabase, SettingNames.SnowflakeStage,
                 })
        {
            var name = AsString(load[setting]);
            Assert.True(
                Regex.IsMatch(sql, $@"\b(USER|ROLE|WAREHOUSE|DATABASE|STAGE)\s+IF\s+NOT\s+EXISTS\s+([A-Z0-9_]+\.)*{name}\b"),
                $"{setting}={name}: no CREATE ... IF NOT EXISTS {name} in infra/snowflake/*.sql");
        }

        Assert.Contains($"{load[SettingNames.SnowflakeDatabase]}.{load[SettingNames.SnowflakeSchema]}.{load[SettingNames.SnowflakeStage]}", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_CoinGecko_key_Extract_gets_neither_the_setting_nor_SSM_access()
    {
        var template = Load(Required);
        var extract = template.Resources["ExtractFunction"];

        Assert.False(Variables(extract).ContainsKey(SettingNames.CoinGeckoApiKeyParameter));
        Assert.False(Variables(extract).ContainsKey(SettingNames.CoinGeckoRatePerMinute));
        Assert.DoesNotContain(
            IamStatement.OfFunction(template, "ExtractFunction").SelectMany(s => s.Actions),
            a => a.StartsWith("ssm:", StringComparison.Ordinal) || a.StartsWith("kms:", StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- least privilege

    [Fact]
    public void No_statement_grants_s3_wildcards_or_s3_on_every_resource()
    {
        var statements = IamStatement.All(Load(Everything));

        Assert.NotEmpty(statements);
        foreach (var statement in statements.Where(s => s.IsAllow))
        {
            Assert.DoesNotContain("*", statement.Actions);
            var s3 = statement.Actions.Where(a => a.StartsWith("s3:", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.All(s3, a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
            if (s3.Count > 0)
            {
                Assert.DoesNotContain("*", statement.Resources);
                Assert.All(statement.Resources, r => Assert.StartsWith(Bucket, r, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>
    /// Extract lists and reads raw/ for its refuse-to-shrink guard (docs/storage.md); Transform and
    /// Load read only the keys they are handed, so they list nothing. Extract and Load each hold
    /// their own lease object (StepLease), and nothing else under locks/. What each step actually uses
    /// is checked by DeploymentRehearsalTests, under these very policies.
    /// </summary>
    [Fact]
    public void Each_function_reaches_only_its_own_prefixes()
    {
        var template = Load(Everything);
        SortedSet<string> Grants(string function) => IamStatement.S3Grants(IamStatement.OfFunction(template, function));

        Assert.Equal(
            [
                $"s3:AbortMultipartUpload {Bucket}/raw/*",
                $"s3:DeleteObject {Bucket}/locks/extract.json",
                $"s3:GetObject {Bucket}/locks/extract.json",
                $"s3:GetObject {Bucket}/raw/*",
                $"s3:ListBucket {Bucket} prefix raw/*",
                $"s3:PutObject {Bucket}/locks/extract.json",
                $"s3:PutObject {Bucket}/raw/*",
            ],
            Grants("ExtractFunction"));
        Assert.Equal(
            [
                $"s3:AbortMultipartUpload {Bucket}/processed/*",
                $"s3:GetObject {Bucket}/raw/*",
                $"s3:PutObject {Bucket}/processed/*",
            ],
            Grants("TransformFunction"));
        Assert.Equal(
            [
                $"s3:DeleteObject {Bucket}/locks/load.json",
                $"s3:GetObject {Bucket}/locks/load.json",
                $"s3:GetObject {Bucket}/processed/*",
                $"s3:PutObject {Bucket}/locks/load.json",
            ],
            Grants("LoadFunction"));
    }

    /// <summary>
    /// Logs only to the function's own log group (no logs:CreateLogGroup: the template creates it),
    /// X-Ray for Tracing: Active, and nothing on "*" but X-Ray.
    /// </summary>
    [Fact]
    public void Each_function_logs_only_to_its_own_log_group()
    {
        var template = Load(Everything);
        foreach (var function in FunctionZip.Keys)
        {
            var statements = IamStatement.OfFunction(template, function);
            var logs = Assert.Single(statements, s => s.Actions.Any(a => a.StartsWith("logs:", StringComparison.Ordinal)));
            Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], logs.Actions);
            var logGroup = AsString(AsMap(Properties(template.Resources[function])["LoggingConfig"])["LogGroup"]);
            Assert.Equal([$"{{{logGroup.Trim('{', '}')}.Arn}}"], logs.Resources);
            Assert.All(
                statements.Where(s => s.Resources.Contains("*")).SelectMany(s => s.Actions),
                a => Assert.Matches("^xray:Put(TraceSegments|TelemetryRecords)$", a));
        }
    }

    [Fact]
    public void Functions_read_only_the_SSM_parameters_they_need_and_no_kms_grant()
    {
        var template = Load(Everything);
        string ParameterArn(string name) => $"arn:aws:ssm:{Region}:{AccountId}:parameter{name}";

        var expected = new Dictionary<string, string?>
        {
            ["ExtractFunction"] = ParameterArn(CoinGeckoKeyParameter),
            ["TransformFunction"] = null,
            ["LoadFunction"] = ParameterArn("/cryptoetl/snowflake-private-key"),
        };
        foreach (var (function, parameterArn) in expected)
        {
            var statements = IamStatement.OfFunction(template, function);
            var ssm = statements.Where(s => s.Actions.Any(a => a.StartsWith("ssm:", StringComparison.Ordinal))).ToList();
            var kms = statements.Where(s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal))).ToList();
            if (parameterArn is null)
            {
                Assert.Empty(ssm);
                Assert.Empty(kms);
                continue;
            }

            var read = Assert.Single(ssm);
            Assert.Equal(["ssm:GetParameter"], read.Actions);
            Assert.Equal([parameterArn], read.Resources);
            // The SecureStrings use the aws/ssm key, whose key policy grants Decrypt to every IAM
            // principal of the account (docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html,
            // "Important"): a kms:Decrypt statement would grant nothing.
            Assert.Empty(kms);
        }
    }

    [Theory]
    [InlineData("StateMachineRole")]
    [InlineData("BackfillStateMachineRole")]
    public void State_machine_role_invokes_exactly_the_three_functions_and_publishes_nothing(string role)
    {
        var statements = IamStatement.All(Load(Required)).Where(s => s.Owner == role).ToList();

        var invoke = Assert.Single(statements, s => s.Actions.Contains("lambda:InvokeFunction"));
        Assert.Equal(["lambda:InvokeFunction"], invoke.Actions);
        Assert.Equal(
            FunctionZip.Keys.SelectMany(f => new[] { $"{{{f}.Arn}}", $"{{{f}.Arn}}:*" }).Order(StringComparer.Ordinal),
            invoke.Resources.Order(StringComparer.Ordinal));
        // Failures are alerted by the EventBridge rule, not by the state machine.
        Assert.DoesNotContain(statements, s => s.Actions.Any(a => a.StartsWith("sns:", StringComparison.Ordinal)));
        // Anything on "*" is only what Step Functions' log delivery and X-Ray need.
        Assert.All(
            statements.Where(s => s.Resources.Contains("*")).SelectMany(s => s.Actions),
            a => Assert.Matches("^(logs|xray):", a));
    }

    [Fact]
    public void Snowflake_storage_role_exists_only_with_its_trust_and_reads_only_processed()
    {
        Assert.DoesNotContain("SnowflakeStorageRole", Load(Required).Resources.Keys);

        var template = Load(Everything);
        var role = Properties(template.Resources["SnowflakeStorageRole"]);
        var trust = AsMap(AsList(AsMap(role["AssumeRolePolicyDocument"])["Statement"]).Single());
        Assert.Equal(Everything["SnowflakeStorageIntegrationUserArn"], AsMap(trust["Principal"])["AWS"]);
        Assert.Equal(
            Everything["SnowflakeStorageIntegrationExternalId"],
            AsMap(AsMap(trust["Condition"])["StringEquals"])["sts:ExternalId"]);
        Assert.Equal($"{StackName}-snowflake-storage", role["RoleName"]);
        Assert.EndsWith($":role/{StackName}-snowflake-storage", AsString(AsMap(template.Outputs["SnowflakeStorageRoleArn"])["Value"]), StringComparison.Ordinal);
        Assert.Equal(
            [
                $"s3:GetBucketLocation {Bucket}",
                $"s3:GetObject {Bucket}/processed/*",
                $"s3:GetObjectVersion {Bucket}/processed/*",
                $"s3:ListBucket {Bucket} prefix processed/*",
            ],
            IamStatement.S3Grants(IamStatement.All(template).Where(s => s.Owner == "SnowflakeStorageRole")));
    }

    // ---------------------------------------------------------------- bucket

    [Fact]
    public void Bucket_is_private_encrypted_versioned_and_tls_only()
    {
        var template = Load(Required);
        var bucket = Properties(template.Resources["DataBucket"]);

        var block = AsMap(bucket["PublicAccessBlockConfiguration"]);
        Assert.All(
            ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"],
            key => Assert.Equal("true", block[key]));
        Assert.Equal("Enabled", AsMap(bucket["VersioningConfiguration"])["Status"]);
        var encryption = AsMap(AsList(AsMap(bucket["BucketEncryption"])["ServerSideEncryptionConfiguration"]).Single());
        Assert.Contains(AsMap(encryption["ServerSideEncryptionByDefault"])["SSEAlgorithm"], new[] { "AES256", "aws:kms" });

        var policy = Assert.Single(template.ResourcesOfType("AWS::S3::BucketPolicy")).Value;
        Assert.Equal("{DataBucket}", Properties(policy)["Bucket"]);
        var deny = Assert.Single(
            AsList(AsMap(Properties(policy)["PolicyDocument"])["Statement"]).Select(AsMap),
            s => AsString(s["Effect"]) == "Deny");
        Assert.Equal("*", deny["Principal"]);
        Assert.Equal(["s3:*"], OneOrMany(deny["Action"]));
        Assert.Equal([Bucket, $"{Bucket}/*"], OneOrMany(deny["Resource"]));
        Assert.Equal("false", AsMap(AsMap(deny["Condition"])["Bool"])["aws:SecureTransport"]);
    }

    [Fact]
    public void Without_a_snowpipe_channel_the_bucket_notifies_nothing_and_load_copies()
    {
        var template = Load(Required);

        Assert.False(Properties(template.Resources["DataBucket"]).ContainsKey("NotificationConfiguration"));
        Assert.Equal("copy", Variables(template.Resources["LoadFunction"])[SettingNames.LoadMode]);
    }

    /// <summary>
    /// With the pipe's queue, new processed/*.csv objects (and nothing else) are announced to it, as
    /// Snowflake's auto-ingest setup configures the bucket's event notification (docs.snowflake.com/en/user-guide/data-load-snowpipe-auto-s3:
    /// event "All object create events", the queue ARN from SHOW PIPES); Load then runs in pipe mode.
    /// </summary>
    [Fact]
    public void A_snowpipe_channel_gets_every_new_processed_csv_and_load_confirms_the_pipe()
    {
        var template = Load(Everything);

        var notification = AsMap(Properties(template.Resources["DataBucket"])["NotificationConfiguration"]);
        Assert.Equal(["QueueConfigurations"], notification.Keys);
        var queue = AsMap(Assert.Single(AsList(notification["QueueConfigurations"])));
        Assert.Equal("s3:ObjectCreated:*", queue["Event"]);
        Assert.Equal(SnowpipeQueue, queue["Queue"]);
        var rules = AsList(AsMap(AsMap(queue["Filter"])["S3Key"])["Rules"]).Select(r => AsMap(r)).Select(r => (AsString(r["Name"]), AsString(r["Value"])));
        Assert.Equal([("prefix", "processed/"), ("suffix", ".csv")], rules);
        Assert.Equal("pipe", Variables(template.Resources["LoadFunction"])[SettingNames.LoadMode]);
    }

    [Fact]
    public void Lifecycle_expires_raw_and_old_versions_after_the_chosen_days()
    {
        var template = Load(new Dictionary<string, string>(Required)
        {
            ["RawExpirationDays"] = "12",
            ["NoncurrentVersionExpirationDays"] = "3",
        });
        var rules = AsList(AsMap(Properties(template.Resources["DataBucket"])["LifecycleConfiguration"])["Rules"])
            .Select(AsMap).ToList();

        var raw = Assert.Single(rules, r => r.GetValueOrDefault("Prefix") is "raw/");
        Assert.Equal("12", raw["ExpirationInDays"]);
        Assert.Equal("Enabled", raw["Status"]);
        var noncurrent = Assert.Single(rules, r => r.ContainsKey("NoncurrentVersionExpiration"));
        Assert.Equal("3", AsMap(noncurrent["NoncurrentVersionExpiration"])["NoncurrentDays"]);
        Assert.DoesNotContain(rules, r => r.GetValueOrDefault("Prefix") is "processed/" && r.ContainsKey("ExpirationInDays"));
    }

    // ---------------------------------------------------------------- schedule, alerts, outputs

    [Fact]
    public void Schedule_is_disabled_by_default_and_enabled_by_its_parameter()
    {
        JsonNode? input = null;
        foreach (var (overrides, state) in new[] { (Required, "DISABLED"), (Everything, "ENABLED") })
        {
            var events = MapOrEmpty(Properties(StateMachine(Load(overrides))), "Events");
            var schedule = AsMap(Assert.Single(events).Value);
            Assert.Equal("ScheduleV2", schedule["Type"]);
            var properties = AsMap(schedule["Properties"]);
            Assert.Equal(state, properties["State"]);
            Assert.Equal("rate(1 hour)", properties["ScheduleExpression"]);
            input = JsonNode.Parse(AsString(properties["Input"]));
        }

        Assert.Equal(2, input!["pages"]!.GetValue<int>());
    }

    /// <summary>
    /// Every failed, timed-out or aborted execution is mailed once, by one EventBridge rule whose message
    /// carries the execution's error and cause (the event's detail fields, AWS-recorded in LocalStack
    /// tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json, test_event_bridge_events_base);
    /// no CloudWatch alarm mails the same failure again.
    /// </summary>
    [Fact]
    public void Each_failed_timed_out_or_aborted_execution_is_alerted_once_with_its_error_and_cause()
    {
        var template = Load(Required);

        var rule = Properties(Assert.Single(template.ResourcesOfType("AWS::Events::Rule")).Value);
        var pattern = AsMap(rule["EventPattern"]);
        Assert.Equal(["aws.states"], OneOrMany(pattern["source"]));
        Assert.Equal(["Step Functions Execution Status Change"], OneOrMany(pattern["detail-type"]));
        var detail = AsMap(pattern["detail"]);
        Assert.Equal(["FAILED", "TIMED_OUT", "ABORTED"], OneOrMany(detail["status"]));
        Assert.Equal(["{CryptoEtlStateMachine}", "{BackfillStateMachine}"], OneOrMany(detail["stateMachineArn"]));
        var target = AsMap(Assert.Single(AsList(rule["Targets"])));
        Assert.Equal("{AlertTopic}", target["Arn"]);
        var transformer = AsMap(target["InputTransformer"]);
        var paths = AsMap(transformer["InputPathsMap"]);
        Assert.Equal("$.detail.error", paths["error"]);
        Assert.Equal("$.detail.cause", paths["cause"]);
        Assert.Equal("$.detail.name", paths["name"]);
        Assert.Equal("$.detail.status", paths["status"]);
        var message = AsString(transformer["InputTemplate"]);
        Assert.All(paths.Keys, key => Assert.Contains($"<{key}>", message, StringComparison.Ordinal));

        var policy = Properties(Assert.Single(template.ResourcesOfType("AWS::SNS::TopicPolicy")).Value);
        Assert.Equal(["{AlertTopic}"], OneOrMany(policy["Topics"]));
        var allow = AsMap(Assert.Single(AsList(AsMap(policy["PolicyDocument"])["Statement"])));
        Assert.Equal("events.amazonaws.com", AsMap(allow["Principal"])["Service"]);
        Assert.Equal("sns:Publish", allow["Action"]);
        Assert.Equal("{ExecutionFailedAlertRule.Arn}", AsMap(AsMap(allow["Condition"])["ArnEquals"])["aws:SourceArn"]);

        Assert.Empty(template.ResourcesOfType("AWS::CloudWatch::Alarm"));
        Assert.Empty(template.ResourcesOfType("AWS::SNS::Subscription"));
        var subscription = Properties(Assert.Single(Load(Everything).ResourcesOfType("AWS::SNS::Subscription")).Value);
        Assert.Equal("ops@example.com", subscription["Endpoint"]);
        Assert.Equal("email", subscription["Protocol"]);
    }

    [Fact]
    public void Outputs_give_the_state_machine_the_bucket_and_the_start_command()
    {
        var outputs = Load(Required).Outputs;
        string Value(string name) => AsString(AsMap(outputs[name])["Value"]);

        Assert.Equal("{CryptoEtlStateMachine}", Value("StateMachineArn"));
        Assert.Equal("{DataBucket}", Value("BucketName"));
        Assert.Equal(
            """aws stepfunctions start-execution --state-machine-arn {CryptoEtlStateMachine} --input '{"pages":2}'""",
            Value("StartExecutionCommand"));
    }

    /// <summary>`sam deploy --guided` asks every parameter: docs/deploy.md's table explains each, in the template's order.</summary>
    [Fact]
    public void Deploy_docs_explain_every_parameter_the_guided_deploy_asks_in_its_order()
    {
        var docs = File.ReadAllText(Path.Combine(RepoRoot, "docs", "deploy.md"));
        var table = docs[docs.IndexOf("The guided deploy asks for every parameter", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("| --- |", StringComparison.Ordinal), StringComparison.Ordinal)];
        var documented = Regex.Matches(table, @"^\| (.+?) \|", RegexOptions.Multiline)
            .SelectMany(m => Regex.Matches(m.Groups[1].Value, "`([A-Za-z]+)`").Select(n => n.Groups[1].Value))
            .ToList();

        Assert.Equal(Load(Required).ParameterDeclarations.Keys, documented);
    }

    // ---------------------------------------------------------------- helpers

    private static Dictionary<string, object?> StateMachine(CfnTemplate template, string name = "CryptoEtlStateMachine") =>
        template.ResourcesOfType("AWS::Serverless::StateMachine").Single(r => r.Key == name).Value;

    private static Dictionary<string, object?> Variables(object? function) =>
        MapOrEmpty(MapOrEmpty(Properties(AsMap(function)), "Environment"), "Variables");

    /// <summary>The zip names build/package-lambdas.sh writes, or the agreed ones until it lands.</summary>
    private static HashSet<string> ZipsThePackagingScriptWrites()
    {
        if (!File.Exists(PackageScriptPath))
        {
            return [.. AgreedZips];
        }

        var script = File.ReadAllText(PackageScriptPath);
        var named = AgreedZips.Where(name => script.Contains(name, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        Assert.True(script.Contains("artifacts", StringComparison.Ordinal), $"{PackageScriptPath} does not write to artifacts/");
        return named;
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
