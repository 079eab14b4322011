using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>A positional bind value: Snowflake's type name (TEXT, FIXED, REAL, BOOLEAN, ...) and its text.</summary>
public sealed record SqlBinding(string Type, string? Value)
{
    public static SqlBinding Text(string? value) => new("TEXT", value);

    public static SqlBinding Fixed(long value) => new("FIXED", value.ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// One request: a statement, or several separated by ';' (then <paramref name="StatementCount"/>
/// must say how many). Snowflake does not accept bindings in a multi-statement request.
/// </summary>
public sealed record SqlRequest(string Statement, IReadOnlyList<SqlBinding>? Bindings = null, int StatementCount = 1);

/// <summary>The first result partition of a finished statement (all our statements return a few rows).</summary>
public sealed class SqlResult
{
    internal SqlResult(string statementHandle, IReadOnlyList<string> statementHandles, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        StatementHandle = statementHandle;
        StatementHandles = statementHandles;
        Columns = columns;
        Rows = rows;
    }

    public string StatementHandle { get; }

    /// <summary>A multi-statement request's handles, one per statement, in order; empty otherwise.</summary>
    public IReadOnlyList<string> StatementHandles { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Values as Snowflake's jsonv2 format sends them: text, or null for SQL NULL.</summary>
    public IReadOnlyList<IReadOnlyList<string?>> Rows { get; }

    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new PipelineException(ErrorNames.WarehouseError,
            $"Snowflake result of statement {StatementHandle} has no column {name} (columns: {string.Join(", ", Columns)})");
    }
}

/// <summary>A statement Snowflake ran and rejected, with Snowflake's own code, SQL state and message.</summary>
public sealed class SnowflakeStatementException : PipelineException
{
    public SnowflakeStatementException(string errorName, string message, string? code, string? sqlState, string? statementHandle, string snowflakeMessage)
        : base(errorName, message)
    {
        Code = code;
        SqlState = sqlState;
        StatementHandle = statementHandle;
        SnowflakeMessage = snowflakeMessage;
    }

    public SnowflakeStatementException()
    {
        SnowflakeMessage = "";
    }

    public SnowflakeStatementException(string message)
        : base(message)
    {
        SnowflakeMessage = message;
    }

    public SnowflakeStatementException(string message, Exception innerException)
        : base(message, innerException)
    {
        SnowflakeMessage = message;
    }

    public string? Code { get; }

    public string? SqlState { get; }

    public string? StatementHandle { get; }

    public string SnowflakeMessage { get; }
}

/// <summary>
/// The Snowflake SQL API v2 over HttpClient: submit (POST /api/v2/statements?requestId=...), poll
/// a running statement (GET /api/v2/statements/{handle}), retry 429/5xx/network failures with
/// jittered backoff under the same requestId (retry=true, so Snowflake never runs it twice), and
/// turn every failure into a <see cref="PipelineException"/> carrying Snowflake's details.
/// </summary>
public sealed class SnowflakeSqlClient
{
    private const string StatementsPath = "api/v2/statements";
    private readonly HttpClient _http;
    private readonly SnowflakeOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyPairJwt _jwt;
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
                var handle = Text(document?.RootElement, "statementHandle")
                    ?? throw new PipelineException(ErrorNames.WarehouseError, "Snowflake answered 202 without a statementHandle");
                return await PollAsync(handle, cancellationToken);
            }

            return Finish(status, document, null);
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
                    return Finish(status, document, handle);
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
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            using (var request = create(attempt))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _jwt.Token());
                request.Headers.Add("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.UserAgent.ParseAdd(_options.UserAgent);
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    var status = response.StatusCode;
                    if (status != HttpStatusCode.TooManyRequests && (int)status < 500)
                    {
                        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                        return (status, ParseOrNull(bytes));
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
                    $"Snowflake {what} at {_baseUrl.Host} failed {attempt} time(s); last: {failure}");
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

    private static SqlResult Finish(HttpStatusCode status, JsonDocument? document, string? handle)
    {
        var root = document?.RootElement;
        if (status == HttpStatusCode.OK && root is { ValueKind: JsonValueKind.Object } ok)
        {
            return ReadResult(ok);
        }

        var code = Text(root, "code");
        var sqlState = Text(root, "sqlState");
        var statementHandle = Text(root, "statementHandle") ?? handle;
        var message = Text(root, "message") ?? $"HTTP {(int)status} without a Snowflake message";
        // 408: Snowflake cancelled the statement at its timeout; a later run may well finish.
        var errorName = status == HttpStatusCode.RequestTimeout ? ErrorNames.WarehouseUnavailable : ErrorNames.WarehouseError;
        throw new SnowflakeStatementException(errorName,
            $"Snowflake returned HTTP {(int)status}: {message} (code {code ?? "none"}, sqlState {sqlState ?? "none"}, statementHandle {statementHandle ?? "none"})",
            code, sqlState, statementHandle, message);
    }

    private static SqlResult ReadResult(JsonElement root)
    {
        var handle = Text(root, "statementHandle") ?? "";
        var handles = root.TryGetProperty("statementHandles", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(h => h.GetString() ?? "").ToArray()
            : [];
        var columns = new List<string>();
        if (root.TryGetProperty("resultSetMetaData", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            if (meta.TryGetProperty("partitionInfo", out var partitions) && partitions.ValueKind == JsonValueKind.Array && partitions.GetArrayLength() > 1)
            {
                throw new PipelineException(ErrorNames.WarehouseError,
                    $"Snowflake result of statement {handle} has {partitions.GetArrayLength()} partitions; this client reads small results only");
            }

            if (meta.TryGetProperty("rowType", out var rowType) && rowType.ValueKind == JsonValueKind.Array)
            {
                columns.AddRange(rowType.EnumerateArray().Select(c => Text(c, "name") ?? ""));
            }
        }

        var rows = new List<IReadOnlyList<string?>>();
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var row in data.EnumerateArray())
            {
                rows.Add(row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()).ToArray());
            }
        }

        return new SqlResult(handle, handles, columns, rows);
    }

    private byte[] RequestBody(SqlRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("statement", request.Statement);
            json.WriteNumber("timeout", (long)Math.Ceiling(_options.StatementTimeout.TotalSeconds));
            json.WriteString("database", _options.Database);
            json.WriteString("schema", _options.Schema);
            json.WriteString("warehouse", _options.Warehouse);
            if (_options.Role is { } role)
            {
                json.WriteString("role", role);
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
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static JsonDocument? ParseOrNull(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            // A proxy's HTML error page, say: the status code still tells what happened.
            return null;
        }
    }

    private static string? Text(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;
}
