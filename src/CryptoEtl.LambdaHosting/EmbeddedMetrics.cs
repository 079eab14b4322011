using System.Buffers;
using System.Text.Json;

namespace CryptoEtl.LambdaHosting;

/// <summary>
/// CloudWatch Embedded Metric Format: a log line whose "_aws" member tells CloudWatch Logs to turn
/// the named members into metrics, so the functions publish metrics without any API call.
/// </summary>
public static class EmbeddedMetrics
{
    public const string Namespace = "CryptoEtl";
    public const string StepDimension = "Step";

    public static void Write(LambdaLogger logger, string step, IReadOnlyList<Metric> metrics, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", timestamp.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", Namespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteStringValue(StepDimension);
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var metric in metrics)
            {
                json.WriteStartObject();
                json.WriteString("Name", metric.Name);
                json.WriteString("Unit", metric.Unit switch { MetricUnit.Milliseconds => "Milliseconds", _ => "Count" });
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString(StepDimension, step);
            if (logger.RequestId is not null)
            {
                json.WriteString("requestId", logger.RequestId);
            }

            foreach (var metric in metrics)
            {
                json.WriteNumber(metric.Name, metric.Value);
            }

            json.WriteEndObject();
        }

        logger.WriteLine(buffer.WrittenSpan);
    }
}
