using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The Snowflake SQL API v2 over HttpClient: submit (POST /api/v2/statements?requestId=...), poll
/// a running statement (GET /api/v2/statements/{handle}), retry 429/5xx/network failures under
/// the same requestId (retry=true, so Snowflake never runs it twice; see <see cref="SnowflakeRetry"/>),
/// and turn every failure into a <see cref="PipelineException"/> carrying Snowflake's details.
/// </summary>
public sealed class SnowflakeSqlClient
{
    /// <summary>Every request runs with this session time zone, so a timestamp parsed without an offset is UTC.</summary>
    public const string SessionTimeZone = "UTC";

    private const string StatementsPath = "api/v2/statements";
    private readonly HttpClient _http;
    private readonly SnowflakeOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyPairJwt _jwt;
    private readonly SnowflakeRetry _retry;
    private readonly Uri _baseUrl;

    public SnowflakeSqlClient(HttpClient http, SnowflakeOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _http = http;
        _options = options;
        _time = time;
        _jwt = new KeyPairJwt(options.Account, options.User, options.PrivateKey, time);
        _retry = new SnowflakeRetry(options, time);
        var url = options.ApiBaseUrl.AbsoluteUri;
        _baseUrl = new Uri(url.EndsWith('/') ? url : url + "/");
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
                return new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, $"{StatementsPath}?requestId={requestId:D}{retry}"))
                {
                    Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
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
                _ => new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, $"{StatementsPath}/{Uri.EscapeDataString(handle)}")),
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

    private async Task<(HttpStatusCode Status, JsonDocument? Body)> SendAsync(
        Func<int, HttpRequestMessage> create, string what, CancellationToken cancellationToken)
    {
        var (status, bytes) = await _retry.SendAsync(
            _http,
            attempt =>
            {
                var request = create(attempt);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _jwt.Token());
                request.Headers.Add("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.UserAgent.ParseAdd(_options.UserAgent);
                return request;
            },
            what,
            cancellationToken);
        return (status, SqlApiResponse.ParseOrNull(bytes));
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
}
