using System.Text.Json.Nodes;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.LambdaHosting;

return await LambdaHost.RunAsync(
    // One function, two contracts: a snapshot's raw_key, or a backfill's backfill_id.
    new LambdaFunction<JsonNode, JsonNode?>
    {
        Name = "transform",
        Input = BackfillJsonContext.Default.JsonNode,
        Output = BackfillJsonContext.Default.JsonNode,
        Initialize = (log, _) =>
        {
            var pipeline = new PipelineComposition(Settings.FromEnvironment(Environment.GetEnvironmentVariable));
            var routes = PipelineComposition.TransformRoutes(pipeline.Transform(), pipeline.HistoryTransform());
            log.Info("transform ready", new LogField("store", pipeline.Store.Location));
            return Task.FromResult<Func<JsonNode, LambdaContext, CancellationToken, Task<JsonNode?>>>(
                (input, _, token) => routes.InvokeAsync(input, "the event", token));
        },
        Metrics = output =>
        [
            new("RowsTransformed", StepRoutes.Number(output, "rows") ?? 0, MetricUnit.Count),
            .. StepRoutes.Number(output, "rejected") is { } rejected ? [new Metric("RowsRejected", rejected, MetricUnit.Count)] : Array.Empty<Metric>(),
        ],
    },
    LambdaHostOptions.FromEnvironment());
