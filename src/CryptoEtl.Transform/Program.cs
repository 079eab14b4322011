using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.LambdaHosting;

return await LambdaHost.RunAsync(
    new LambdaFunction<TransformInput, TransformOutput>
    {
        Name = "transform",
        Input = ContractsJsonContext.Default.TransformInput,
        Output = ContractsJsonContext.Default.TransformOutput,
        Initialize = (log, _) =>
        {
            var store = ObjectStoreFactory.FromEnvironment(Environment.GetEnvironmentVariable);
            var step = new TransformStep(store);
            log.Info("transform ready", new LogField("store", store.Location));
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
