using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using CryptoEtl.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>
/// Progress while Extract runs (issue 17 part 3), as plain lines when the output is not a terminal:
/// what CI logs and pipes get. The live line needs a terminal and is not asserted here.
/// </summary>
public sealed class ExtractProgressViewTests : IDisposable
{
    private const string GlobalUrl = "http://127.0.0.1:9/api/v3/global";
    private const string Page1Url = "http://127.0.0.1:9/api/v3/coins/markets?page=1";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Plain_lines_say_pages_coins_retries_rate_limit_waits_and_a_late_answer()
    {
        using var output = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var view = new ExtractProgressView(CliConsole.ToWriters(output, TextWriter.Null).Display, time);

        view.OnProgress(new ExtractProgress(0, 2, 0));
        view.OnWaiting(new WaitNotice(WaitKind.Answer, GlobalUrl, TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        view.OnRetry(new RetryNotice(GlobalUrl, 1, "no complete answer within 30 s", TimeSpan.FromSeconds(1.5), FromRetryAfter: false));
        view.OnWaiting(new WaitNotice(WaitKind.Answer, GlobalUrl, TimeSpan.FromSeconds(30)));
        view.OnRetry(new RetryNotice(Page1Url, 1, "HTTP 429: You've exceeded the Rate Limit.", TimeSpan.FromSeconds(5), FromRetryAfter: true));
        view.OnWaiting(new WaitNotice(WaitKind.RateLimit, Page1Url, TimeSpan.FromSeconds(6)));
        view.OnWaiting(new WaitNotice(WaitKind.Answer, Page1Url, TimeSpan.FromSeconds(30)));
        view.OnProgress(new ExtractProgress(1, 2, 250));
        view.OnWaiting(new WaitNotice(WaitKind.RateLimit, Page1Url, TimeSpan.FromMilliseconds(600)));
        view.OnProgress(new ExtractProgress(2, 2, 1250));
        view.OnProgress(new ExtractProgress(2, 2, 1250, Finished: true));
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(
            [
                $"  extract  still waiting for CoinGecko's answer: 10.0 s of at most 30.0 s: {GlobalUrl}",
                $"  extract  still waiting for CoinGecko's answer: 20.0 s of at most 30.0 s: {GlobalUrl}",
                $"  retry    {GlobalUrl} (attempt 1 failed: no complete answer within 30 s); trying again in 1.5 s (backoff)",
                $"  retry    {Page1Url} (attempt 1 failed: HTTP 429: You've exceeded the Rate Limit.); trying again in 5.0 s (Retry-After)",
                "  extract  waiting 6.0 s for the rate limit",
                "  extract  1 of 2 pages, 250 coins",
                "  extract  2 of 2 pages, 1,250 coins",
            ],
            Lines(output));
    }

    [Fact]
    public void Pages_all_is_shown_as_to_the_end()
    {
        using var output = new StringWriter();
        using var view = new ExtractProgressView(CliConsole.ToWriters(output, TextWriter.Null).Display, TimeProvider.System);

        view.OnProgress(new ExtractProgress(0, null, 0));
        view.OnProgress(new ExtractProgress(1, null, 250));

        Assert.Equal(["  extract  1 pages of all (to the end), 250 coins"], Lines(output));
    }

    [Fact]
    public async Task Cryptoetl_extract_prints_progress_and_retries_on_stderr_and_keeps_stdout_json()
    {
        var page = File.ReadAllBytes(TestData.CoinGecko(TestData.Markets250));
        var global = File.ReadAllBytes(TestData.CoinGecko(TestData.Global));
        var calls = 0;
        await using var coinGecko = await LocalHttpServer.StartAsync(context =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                // The first page call is rate limited; Retry-After 0 keeps the test from waiting real time.
                context.Response.Headers.RetryAfter = "0";
                return Send(context, 429, """{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}"""u8.ToArray());
            }

            return Send(context, 200, context.Request.Path.Value!.EndsWith("/global", StringComparison.Ordinal) ? global : page);
        });

        var (exit, output, error) = await CliRunner.RunAsync("extract", "--data-dir", _dir.FullPath,
            "--coingecko-url", coinGecko.BaseAddress + "api/v3", "--rate", "60000", "--input", """{"pages":1}""");

        Assert.True(exit == 0, error + output);
        var result = JsonSerializer.Deserialize(output, ContractsJsonContext.Default.ExtractOutput)!;
        Assert.Equal(250, result.Coins);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var retry = Assert.Single(lines, l => l.StartsWith("retry", StringComparison.Ordinal));
        Assert.Contains("page=1", retry, StringComparison.Ordinal);
        Assert.EndsWith("attempt 1 failed: HTTP 429: You've exceeded the Rate Limit.); trying again in 0.0 s (Retry-After)", retry, StringComparison.Ordinal);
        Assert.Equal("extract  1 of 1 pages, 250 coins", lines[^1]);
    }

    private static string[] Lines(StringWriter output) =>
        output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static Task Send(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
