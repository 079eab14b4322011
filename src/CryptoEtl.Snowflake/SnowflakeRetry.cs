using System.Net;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The SQL API's retry loop: 429, 5xx and network failures are tried again with capped, jittered
/// exponential backoff (a longer Retry-After within the cap is honoured); any other answer is
/// returned as it came. Kept alone in this file so the adapter can move onto the shared retry
/// policy in Core without touching the protocol code.
/// </summary>
internal sealed class SnowflakeRetry
{
    private readonly SnowflakeOptions _options;
    private readonly TimeProvider _time;

    public SnowflakeRetry(SnowflakeOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Sends <paramref name="create"/>(attempt) until an answer that is not retryable; its status and body.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> SendAsync(
        HttpClient http, Func<int, HttpRequestMessage> create, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            string host;
            using (var request = create(attempt))
            {
                host = request.RequestUri?.Host ?? "";
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    var status = response.StatusCode;
                    if (status != HttpStatusCode.TooManyRequests && (int)status < 500)
                    {
                        return (status, await response.Content.ReadAsByteArrayAsync(cancellationToken));
                    }

                    failure = $"HTTP {(int)status}";
                    retryAfter = response.Headers.RetryAfter?.Delta;
                }
                catch (HttpRequestException ex)
                {
                    failure = ex.Message;
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"timed out ({ex.Message})";
                }
            }

            if (attempt >= _options.MaxAttempts)
            {
                throw new PipelineException(ErrorNames.WarehouseUnavailable,
                    $"Snowflake {what} at {host} failed {attempt} time(s); last: {failure}");
            }

            await Task.Delay(Backoff(attempt, retryAfter), _time, cancellationToken);
        }
    }

    // Exponential, capped, with "equal jitter" so many Lambdas retrying at once spread out.
    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var ceiling = Math.Min(_options.RetryBaseDelay.Ticks * Math.Pow(2, attempt - 1), _options.MaxRetryDelay.Ticks);
        var jittered = TimeSpan.FromTicks((long)(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2));
        return retryAfter is { } server && server > jittered && server <= _options.MaxRetryDelay ? server : jittered;
    }
}
