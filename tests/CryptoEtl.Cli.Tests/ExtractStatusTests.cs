using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace CryptoEtl.Cli.Tests;

/// <summary>The words the terminal's progress line and the web console's execution page both show.</summary>
public sealed class ExtractStatusTests
{
    [Fact]
    public void It_tells_the_latest_pages_coins_and_wait_since_the_state_began_and_nothing_once_finished()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var status = new ExtractStatus(time);
        var stateEntered = time.GetUtcNow();
        Assert.Null(status.Since(stateEntered));

        status.OnProgress(new ExtractProgress(2, 70, 500));
        Assert.Equal("2 of 70 pages, 500 coins", status.Since(stateEntered));

        time.Advance(TimeSpan.FromSeconds(1));
        status.OnWaiting(new WaitNotice(WaitKind.RateLimit, "https://api.coingecko.com/api/v3/coins/markets", TimeSpan.FromSeconds(4)));
        Assert.Equal("2 of 70 pages, 500 coins; waiting 4.0 s for the rate limit", status.Since(stateEntered));

        status.OnRetry(new RetryNotice("https://api.coingecko.com/api/v3/coins/markets?page=3", 1, "HTTP 429", TimeSpan.FromSeconds(30), FromRetryAfter: true));
        Assert.Equal("2 of 70 pages, 500 coins; waiting 30.0 s (Retry-After) to retry", status.Since(stateEntered));

        status.OnProgress(new ExtractProgress(3, null, 12_750));
        Assert.Equal("3 pages of all (to the end), 12,750 coins", status.Since(stateEntered));
        // A later Extract state (the next execution) sees nothing of this one until it tells something.
        Assert.Null(status.Since(time.GetUtcNow().AddTicks(1)));

        status.OnProgress(new ExtractProgress(3, null, 12_750, Finished: true));
        Assert.Null(status.Since(stateEntered));
    }
}
