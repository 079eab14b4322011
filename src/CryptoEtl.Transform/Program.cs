using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.LambdaHosting;

return await LambdaHost.RunAsync(
    new LambdaFunction<TransformInput, TransformOutput>
    {
        Name = "transform",
        Input = ContractsJsonContext.Default.TransformInput,
        Output = ContractsJsonContext.Default.TransformOutput,
        Initialize = (log, _) =>
        {
            var pipeline = new PipelineComposition(Settings.FromEnvironment(Environment.GetEnvironmentVariable));
            var step = pipeline.Transform();
            log.Info("transform ready", new LogField("store", pipeline.Store.Location));
            return Task.FromResult<Func<TransformInput, LambdaContext, CancellationToken, Task<TransformOutput>>>(
                (input, _, token) => step.RunAsync(input, token));
        },
        Metrics = output =>
        [
            new("RowsTransformed", output.Rows, MetricUnit.Count),
            new("RowsRejected", output.Rejected, MetricUnit.Count),
        ],
    },
    LambdaHostOptions.FromEnvironment());
