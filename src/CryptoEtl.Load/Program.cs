using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.LambdaHosting;

return await LambdaHost.RunAsync(
    new LambdaFunction<LoadInput, LoadOutput>
    {
        Name = "load",
        Input = ContractsJsonContext.Default.LoadInput,
        Output = ContractsJsonContext.Default.LoadOutput,
        Initialize = async (log, ct) =>
        {
            var pipeline = new PipelineComposition(Settings.FromEnvironment(Environment.GetEnvironmentVariable));
            var privateKeyPem = await pipeline.SecretParameterAsync(SettingNames.SnowflakePrivateKeyParameter, required: true, ct);
            var warehouse = pipeline.LoadTarget(pipeline.Snowflake(privateKeyPem!, new RetryLog(log, "snowflake")));
            var step = pipeline.Load(warehouse);
            log.Info("load ready", new LogField("store", pipeline.Store.Location), new LogField("table", warehouse.Table), new LogField("load_mode", pipeline.LoadMode.ToString().ToLowerInvariant()));
            return (input, _, token) => step.RunAsync(input, token);
        },
        Metrics = output => [new("RowsLoaded", output.RowsLoaded, MetricUnit.Count)],
    },
    LambdaHostOptions.FromEnvironment());
