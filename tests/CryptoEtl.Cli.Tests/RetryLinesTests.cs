using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Cli.Tests;

public sealed class RetryLinesTests
{
    [Fact]
    public void A_snowflake_retry_is_one_plain_line_with_the_failed_attempt_the_reason_and_the_wait()
    {
        using var output = new StringWriter();
        var lines = new RetryLines(output);

        lines.OnRetry(new RetryNotice("Snowflake submit at xy12345.snowflakecomputing.com", 1, "HTTP 429", TimeSpan.FromMilliseconds(750), false));
        lines.OnRetry(new RetryNotice("Snowflake submit at xy12345.snowflakecomputing.com", 2, "HTTP 503", TimeSpan.FromSeconds(3), true));

        Assert.Equal(
            "  retry    Snowflake submit at xy12345.snowflakecomputing.com (attempt 1 failed: HTTP 429); trying again in 0.8 s (backoff)\n"
            + "  retry    Snowflake submit at xy12345.snowflakecomputing.com (attempt 2 failed: HTTP 503); trying again in 3.0 s (Retry-After)\n",
            output.ToString().ReplaceLineEndings("\n"));
    }
}
