using System.Text;
using System.Text.Json;
using CryptoEtl.Core.Resilience;
using CryptoEtl.LambdaHosting;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Lambda.Tests;

public sealed class RetryLogTests
{
    [Fact]
    public void A_retry_is_one_warn_line_naming_the_target_the_failed_attempt_the_reason_and_the_wait()
    {
        using var output = new MemoryStream();
        var log = new LambdaLogger(output, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));

        new RetryLog(log, "snowflake").OnRetry(new RetryNotice("Snowflake submit at xy12345.snowflakecomputing.com", 2, "HTTP 503", TimeSpan.FromMilliseconds(1500), false));

        var line = Assert.Single(Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("2026-11-25T12:00:00.000Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("WARN", root.GetProperty("level").GetString());
        Assert.Equal("snowflake retry", root.GetProperty("message").GetString());
        Assert.Equal("Snowflake submit at xy12345.snowflakecomputing.com", root.GetProperty("target").GetString());
        Assert.Equal(2, root.GetProperty("attempt").GetInt32());
        Assert.Equal("HTTP 503", root.GetProperty("reason").GetString());
        Assert.Equal(1.5, root.GetProperty("wait_s").GetDouble());
        Assert.False(root.GetProperty("retry_after").GetBoolean());
    }
}
