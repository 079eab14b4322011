using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The Snowflake SQL API v2 over HttpClient: submit (POST /api/v2/statements?requestId=...), poll
/// a running statement (GET /api/v2/statements/{handle}), retry 429/5xx/network failures under
/// the same requestId (retry=true, so Snowflake never runs it twice) through the shared
/// <see cref="RetryPolicy{T}"/>, telling each retry to the <see cref="IRetryObserver"/>, and turn
/// every failure into a <see cref="PipelineException"/> carrying Snowflake's details.
/// </summary>
public sealed class SnowflakeSqlClient
{
    /// <summary>Every request runs with this session time zone, so a timestamp parsed without an offset is UTC.</summary>
    public const string SessionTimeZone = "UTC";

    private const string StatementsPath = "api/v2/statements";
    private readonly SnowflakeHttp _snowflake;
    private readonly SnowflakeOptions _options;
    private readonly TimeProvider _time;
    private readonly RetryPolicy<Answer> _retry;

    /// <summary>The observer, if any, hears every retry before its wait (the Lambda log, the CLI's output).</summary>
    public SnowflakeSqlClient(HttpClient http, SnowflakeOptions options, TimeProvider time, IRetryObserver? observer = null)
    {
        _snowflake = new SnowflakeHttp(http, options, time);
        _options = options;
        _time = time;
        _retry = new RetryPolicy<Answer>(
            new RetrySettings
            {
                MaxRetries = options.MaxAttempts - 1,
                InitialBackoff = options.RetryBaseDelay,
                MaxBackoff = options.MaxRetryDelay,
                MaxRetryAfter = options.MaxRetryDelay,
            },
            time,
            observer);
    }

    /// <summary>Runs the request to completion and returns its result.</summary>
    public async Task<SqlResult> ExecuteAsync(SqlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.StatementCount > 1 && request.Bindings is { Count: > 0 })
        {
            throw new ArgumentException("Snowflake does not accept bindings in a multi-statement request", nameof(request));
        }

        var requestId = Guid.NewGuid();
        var body = RequestBody(request);
        var (status, document) = await SendAsync(
            attempt =>
            {
                var retry = attempt > 1 ? "&retry=true" : "";
                var post = _snowflake.Request(HttpMethod.Post, $"{StatementsPath}?requestId={requestId:D}{retry}");
                post.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
                return post;
            },
            "submit",
            cancellationToken);
        using (document)
        {
            if (status == HttpStatusCode.Accepted)
            {
                var handle = SqlApiResponse.Text(document?.RootElement, "statementHandle")
                    ?? throw new PipelineException(ErrorNames.WarehouseError, "Snowflake answered 202 without a statementHandle");
                return await PollAsync(handle, cancellationToken);
            }

            return SqlApiResponse.Finish(status, document, null);
        }
    }

    /// <summary>The result of a statement that ran, e.g. one of a multi-statement request's handles.</summary>
    public async Task<SqlResult> GetResultAsync(string statementHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statementHandle);
        return await PollAsync(statementHandle, cancellationToken);
    }

    private async Task<SqlResult> PollAsync(string handle, CancellationToken cancellationToken)
    {
        // Snowflake ends the statement at its timeout; polling a little longer sees that answer.
        var giveUpAt = _time.GetUtcNow() + _options.StatementTimeout + TimeSpan.FromMinutes(1);
        var wait = _options.PollInterval;
        while (true)
        {
            var (status, document) = await SendAsync(
                _ => _snowflake.Request(HttpMethod.Get, $"{StatementsPath}/{Uri.EscapeDataString(handle)}"),
                $"status of statement {handle}",
                cancellationToken);
            using (document)
            {
                if (status != HttpStatusCode.Accepted)
                {
                    return SqlApiResponse.Finish(status, document, handle);
                }
            }

            if (_time.GetUtcNow() >= giveUpAt)
            {
                throw new PipelineException(ErrorNames.WarehouseUnavailable,
                    $"Snowflake statement {handle} still running after {_options.StatementTimeout + TimeSpan.FromMinutes(1)}");
            }

            await Task.Delay(wait, _time, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _options.MaxPollInterval.Ticks));
        }
    }

    /// <summary>
    /// Sends <paramref name="create"/>(attempt) until an answer that is not worth retrying (anything
    /// but 429, 5xx or a network failure), the attempts are used, or Snowflake asks to wait longer
    /// than <see cref="SnowflakeOptions.MaxRetryDelay"/>; then its status and body, or WarehouseUnavailable.
    /// </summary>
    private async Task<(HttpStatusCode Status, JsonDocument? Body)> SendAsync(
        Func<int, HttpRequestMessage> create, string what, CancellationToken cancellationToken)
    {
        var target = $"Snowflake {what} at {_snowflake.BaseUrl.Host}";
        var attempts = 0;
        var result = await _retry.ExecuteAsync(
            target,
            ct => AttemptAsync(create(++attempts), ct),
            answer => answer.Failure is null ? AttemptVerdict.Done : AttemptVerdict.TryAgain(answer.Failure, answer.RetryAfter),
            cancellationToken);
        var last = result.Value;
        if (last.Failure is not null)
        {
            var tooLong = result.Stop == RetryStop.RetryAfterTooLong
                ? $" (Snowflake asked to wait {last.RetryAfter!.Value.TotalSeconds:0} s, more than the {_options.MaxRetryDelay.TotalSeconds:0} s allowed)"
                : "";
            throw new PipelineException(ErrorNames.WarehouseUnavailable,
                $"{target} failed {result.Attempts} time(s); last: {last.Failure}{tooLong}");
        }

        return (last.Status, SqlApiResponse.ParseOrNull(last.Body));
    }

    /// <summary>One HTTP exchange: the answer, or why it is worth another try (429, 5xx, a network failure, a timeout).</summary>
    private async ValueTask<Answer> AttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            request.Headers.Add("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
            try
            {
                using var response = await _snowflake.SendAsync(request, cancellationToken);
                var status = response.StatusCode;
                if (status != HttpStatusCode.TooManyRequests && (int)status < 500)
                {
                    return new Answer(status, await response.Content.ReadAsByteArrayAsync(cancellationToken), null, null);
                }

                return new Answer(status, [], $"HTTP {(int)status}", RetryAfter.Of(response.Headers.RetryAfter, _time.GetUtcNow()));
            }
            catch (HttpRequestException ex)
            {
                return new Answer(default, [], ex.Message, null);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new Answer(default, [], $"timed out ({ex.Message})", null);
            }
        }
    }

    private byte[] RequestBody(SqlRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("statement", request.Statement);
            json.WriteNumber("timeout", (long)Math.Ceiling(_options.StatementTimeout.TotalSeconds));
            // Case-sensitive names as SHOW returns them, not as the settings spell them.
            json.WriteString("database", _options.DatabaseIdentifier.Name);
            json.WriteString("schema", _options.SchemaIdentifier.Name);
            json.WriteString("warehouse", _options.WarehouseIdentifier.Name);
            if (_options.RoleIdentifier is { } role)
            {
                json.WriteString("role", role.Name);
            }

            if (request.Bindings is { Count: > 0 } bindings)
            {
                json.WriteStartObject("bindings");
                for (var i = 0; i < bindings.Count; i++)
                {
                    json.WriteStartObject((i + 1).ToString(CultureInfo.InvariantCulture));
                    json.WriteString("type", bindings[i].Type);
                    json.WriteString("value", bindings[i].Value);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteStartObject("parameters");
            json.WriteString("MULTI_STATEMENT_COUNT", request.StatementCount.ToString(CultureInfo.InvariantCulture));
            json.WriteString("TIMEZONE", SessionTimeZone);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One attempt's answer: its status and body, or (Failure set) why it may be tried again.</summary>
    private sealed record Answer(HttpStatusCode Status, byte[] Body, string? Failure, TimeSpan? RetryAfter);
}
