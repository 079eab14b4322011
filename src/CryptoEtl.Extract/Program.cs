using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.Extract;
using CryptoEtl.LambdaHosting;

// The step stops fetching this long before Lambda's deadline, so it still has time to write the
// raw object of the pages it has and answer complete=false with next_page.
var stopFetchingMargin = TimeSpan.FromSeconds(30);

return await LambdaHost.RunAsync(
    new LambdaFunction<ExtractInput, ExtractOutput>
    {
        Name = "extract",
        Input = ContractsJsonContext.Default.ExtractInput,
        Output = ContractsJsonContext.Default.ExtractOutput,
        Initialize = async (log, ct) =>
        {
            var pipeline = new PipelineComposition(Settings.FromEnvironment(Environment.GetEnvironmentVariable));
            if (!string.IsNullOrEmpty(pipeline.Settings.Secret(SettingNames.CoinGeckoApiKey)))
            {
                log.Warn($"{SettingNames.CoinGeckoApiKey} is ignored here: Lambda reads the key only from the SSM SecureString named by {SettingNames.CoinGeckoApiKeyParameter}");
            }

            var apiKey = await pipeline.SecretParameterAsync(SettingNames.CoinGeckoApiKeyParameter, required: false, ct);
            var options = pipeline.CoinGeckoOptions(apiKey);
            var extractLog = new ExtractLog(log);
            var step = pipeline.Extract(options, progress: extractLog, source: extractLog);
            log.Info("extract ready", new LogField("store", pipeline.Store.Location), new LogField("coingecko", options.BaseUrl.AbsoluteUri),
                new LogField("tier", options.TierName));
            return (input, context, token) => step.RunAsync(input, context.Deadline - stopFetchingMargin, token);
        },
        Metrics = output =>
        [
            new("CoinsExtracted", output.Coins, MetricUnit.Count),
            new("PagesFetched", output.Pages, MetricUnit.Count),
            new("ExtractIncomplete", output.Complete ? 0 : 1, MetricUnit.Count),
        ],
    },
    LambdaHostOptions.FromEnvironment());
