using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.LambdaHosting;
using CryptoEtl.Snowflake;

Func<string, string?> getEnv = Environment.GetEnvironmentVariable;

return await LambdaHost.RunAsync(
    new LambdaFunction<LoadInput, LoadOutput>
    {
        Name = "load",
        Input = ContractsJsonContext.Default.LoadInput,
        Output = ContractsJsonContext.Default.LoadOutput,
        Initialize = async (log, ct) =>
        {
            var store = ObjectStoreFactory.FromEnvironment(getEnv);
            var privateKeyPem = await SsmParameterReader.ReadSettingAsync(getEnv, SettingNames.SnowflakePrivateKeyParameter, required: true, ct);
            var options = SnowflakeOptions.FromEnvironment(getEnv, privateKeyPem!);
            var warehouse = new SnowflakeWarehouse(new HttpClient(), options, TimeProvider.System);
            var step = new LoadStep(store, warehouse);
            log.Info("load ready", new LogField("store", store.Location), new LogField("table", warehouse.Table));
            return (input, _, token) => step.RunAsync(input, token);
        },
        Metrics = output => [new("RowsLoaded", output.RowsLoaded, MetricUnit.Count)],
    },
    LambdaHostOptions.FromEnvironment());
