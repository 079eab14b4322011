using System.Text.Json.Nodes;
using CryptoEtl.Composition;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;
using CryptoEtl.Extract;
using CryptoEtl.LambdaHosting;

// The step stops fetching this long before Lambda's deadline, so it still has time to write the
// raw object of the pages it has and answer complete=false with next_page.
var stopFetchingMargin = TimeSpan.FromSeconds(30);

return await LambdaHost.RunAsync(
    // One function, three contracts told apart by the top-level key (snapshot, "backfill", "backfill_coin").
    new LambdaFunction<JsonNode, JsonNode?>
    {
        Name = "extract",
        Input = BackfillJsonContext.Default.JsonNode,
        Output = BackfillJsonContext.Default.JsonNode,
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
            var backfill = pipeline.Backfill(step);
            log.Info("extract ready", new LogField("store", pipeline.Store.Location), new LogField("coingecko", options.BaseUrl.AbsoluteUri),
                new LogField("tier", options.TierName));
            return (input, context, token) => PipelineComposition.ExtractRoutes(step, backfill, context.Deadline - stopFetchingMargin).InvokeAsync(input, "the event", token);
        },
        Metrics = output =>
        [
            .. Count("CoinsExtracted", output, "coins"),
            .. Count("PagesFetched", output, "pages"),
            .. StepRoutes.Number(output, "complete") is { } complete ? [new Metric("ExtractIncomplete", 1 - complete, MetricUnit.Count)] : Array.Empty<Metric>(),
            .. output?["coin_ids"] is JsonArray coinIds ? [new Metric("BackfillCoins", coinIds.Count, MetricUnit.Count)] : Array.Empty<Metric>(),
            .. Count("HistoryPoints", output, "points"),
            .. StepRoutes.Number(output, "reused") is { } reused ? [new Metric("HistoryReused", reused, MetricUnit.Count)] : Array.Empty<Metric>(),
        ],
    },
    LambdaHostOptions.FromEnvironment());

static Metric[] Count(string metric, JsonNode? output, string field) =>
    StepRoutes.Number(output, field) is { } value ? [new Metric(metric, value, MetricUnit.Count)] : [];
