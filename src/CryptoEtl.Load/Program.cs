using System.Text.Json.Nodes;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.LambdaHosting;

return await LambdaHost.RunAsync(
    // One function, two contracts: a snapshot's csv_key, or a backfill's history_csv_key.
    new LambdaFunction<JsonNode, JsonNode?>
    {
        Name = "load",
        Input = BackfillJsonContext.Default.JsonNode,
        Output = BackfillJsonContext.Default.JsonNode,
        Initialize = async (log, ct) =>
        {
            var pipeline = new PipelineComposition(Settings.FromEnvironment(Environment.GetEnvironmentVariable));
            var privateKeyPem = await pipeline.SecretParameterAsync(SettingNames.SnowflakePrivateKeyParameter, required: true, ct);
            var warehouse = pipeline.LoadTarget(pipeline.Snowflake(privateKeyPem!, new RetryLog(log, "snowflake")));
            var routes = PipelineComposition.LoadRoutes(pipeline.Load(warehouse));
            log.Info("load ready", new LogField("store", pipeline.Store.Location), new LogField("table", warehouse.Table), new LogField("load_mode", pipeline.LoadMode.ToString().ToLowerInvariant()));
            return (input, _, token) => routes.InvokeAsync(input, "the event", token);
        },
        Metrics = output => [new("RowsLoaded", StepRoutes.Number(output, "rows_loaded") ?? 0, MetricUnit.Count)],
    },
    LambdaHostOptions.FromEnvironment());
