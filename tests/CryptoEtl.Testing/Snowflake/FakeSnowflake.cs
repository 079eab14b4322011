using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>
/// The SQL API v2 as documented, on 127.0.0.1: every request must carry a key-pair JWT whose
/// RS256 signature verifies with the test public key and whose claims are exactly right, the
/// documented headers, a requestId UUID on submits, and a well-formed body (bindings only in a
/// single-statement request). Where a real account refuses, the fake refuses the same way, and
/// also lists it in <see cref="Problems"/>:
/// - database, schema, warehouse and role must equal the names as SHOW returns them, case and all
///   (docs.snowflake.com/en/developer-guide/sql-api/submitting-requests); otherwise 422, code
///   391918 (recorded in rinsed-org/rb-snowflake-client#26);
/// - MULTI_STATEMENT_COUNT must equal the statements counted as Snowflake counts them
///   (<see cref="SqlStatements"/>); otherwise 422, code 000008, "Actual statement count N did not
///   match the desired statement count M." (snowflake-connector-python's test_multi_statement.py,
///   run against a live account);
/// - a failed multi-statement request is answered with Snowflake's own wrapper error, code 100132
///   (<see cref="FailStatement"/>); a scripted 422 with another code for such a request is a problem
///   of the test, not a thing Snowflake does;
/// - a status GET must name a handle the fake handed out.
/// Anything else is answered 400/401. Answers are scripted per route; 202 and 429 can be scripted
/// on the status GET as on the submit.
/// The Snowpipe REST API's load history (docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis)
/// is checked as strictly: GET /v1/data/pipes/{pipe}/insertReport or /loadHistoryScan, the same
/// key-pair JWT (that page: "Authorization: BEARER &lt;jwt_token&gt;"), Accept text/plain or
/// application/json, the pipe's case-sensitive fully qualified name (<see cref="Pipe"/>), and for
/// loadHistoryScan a startTimeInclusive in ISO-8601; an unknown pipe is answered 404 as documented,
/// a role without privileges on it 404 too and one without MONITOR 403 (<see cref="PipeAccess"/>);
/// <see cref="Snowpipe"/> plays the pipe's documented rules (<see cref="FakeSnowpipe"/>).
/// </summary>
public sealed partial class FakeSnowflake : IAsyncDisposable
{
    public const string StatementsPath = "/api/v2/statements";
    public const string PipesPath = "/v1/data/pipes/";
    private readonly LocalHttpServer _server;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<string, (int Status, string Body)>>> _routes = new();
    private readonly ConcurrentDictionary<string, Func<string, (int Status, string Body)>> _last = new();
    private readonly ConcurrentDictionary<string, bool> _handles = new();

    private FakeSnowflake(LocalHttpServer server) => _server = server;

    public ConcurrentQueue<string> Problems { get; } = new();

    public Uri BaseAddress => _server.BaseAddress;

    public IReadOnlyList<RecordedRequest> Requests => [.. _server.Requests];

    public required RSA PublicKey { get; init; }

    public required string ExpectedIssuer { get; init; }

    public required string ExpectedSubject { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>The pipe that exists, as its case-sensitive fully qualified name.</summary>
    public string Pipe { get; init; } = SnowpipeResponses.Pipe;

    /// <summary>When set, loadHistoryScan is answered from this pipe's documented behaviour instead of scripts.</summary>
    public FakeSnowpipe? Snowpipe { get; set; }

    /// <summary>What the role of the requests may do with <see cref="Pipe"/>.</summary>
    public PipeAccess PipeAccess { get; set; } = PipeAccess.Monitor;

    /// <summary>
    /// The pipes SHOW PIPES IN SCHEMA lists, as (name, definition): answered by the fake itself, in
    /// SHOW PIPES's columns (docs.snowflake.com/en/sql-reference/sql/show-pipes, "Output").
    /// </summary>
    public List<(string Name, string Definition)> Pipes { get; } = [];

    /// <summary>The route of a load-history request for <see cref="Pipe"/>: "loadHistoryScan" or "insertReport".</summary>
    public string PipePath(string endpoint) => $"{PipesPath}{Pipe}/{endpoint}";

    /// <summary>
    /// The stage's files by their path relative to it. When set, every COPY is run over its file as
    /// Snowflake would (<see cref="SnowflakeCopy"/>, the file format of infra/snowflake/03_file_format.sql):
    /// the rows land in <see cref="Copied"/>, and a value Snowflake refuses fails the request as
    /// ON_ERROR = ABORT_STATEMENT does, before any scripted answer.
    /// </summary>
    public Func<string, byte[]?>? Stage { get; init; }

    /// <summary>The rows each COPY over <see cref="Stage"/> produced, in order.</summary>
    public ConcurrentQueue<IReadOnlyList<object?[]>> Copied { get; } = new();

    /// <summary>The account's objects as SHOW DATABASES/SCHEMAS/WAREHOUSES/ROLES returns their names.</summary>
    public SnowflakeObjects Objects { get; init; } = new();

    public static async Task<FakeSnowflake> StartAsync(string expectedIssuer, string expectedSubject, TimeProvider time, SnowflakeObjects? objects = null, Func<string, byte[]?>? stage = null)
    {
        FakeSnowflake? fake = null;
        var server = await LocalHttpServer.StartAsync(context => fake!.HandleAsync(context));
        fake = new FakeSnowflake(server)
        {
            PublicKey = TestKeys.PublicKey(),
            ExpectedIssuer = expectedIssuer,
            ExpectedSubject = expectedSubject,
            Time = time,
            Objects = objects ?? new SnowflakeObjects(),
            Stage = stage,
        };
        return fake;
    }

    /// <summary>True for the SHOW PIPES a COPY-mode load sends first (answered by the fake from <see cref="Pipes"/>).</summary>
    public static bool IsShowPipes(RecordedRequest request) =>
        request is { Method: "POST" } && request.Body.Contains("\"statement\":\"SHOW PIPES IN SCHEMA ", StringComparison.Ordinal);

    /// <summary>Answers METHOD PATH with these responses in turn; the last one repeats.</summary>
    public void On(string method, string path, params (int Status, string Body)[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var queue = _routes.GetOrAdd($"{method} {path}", _ => new ConcurrentQueue<Func<string, (int, string)>>());
        foreach (var response in responses)
        {
            queue.Enqueue(_ => response);
        }
    }

    /// <summary>
    /// The next submit fails in its statement number <paramref name="statementNumber"/> (from 1)
    /// with <paramref name="innerMessage"/>, answered as Snowflake answers it: 422 with the
    /// SYSTEM$MULTISTMT wrapper error, code 100132, SQL state P0000, naming the statement by its
    /// first 30 characters and its line (recorded in aidanmelen/terraform-provider-snowsql#92 and
    /// airbytehq/PyAirbyte#188).
    /// </summary>
    public void FailStatement(int statementNumber, string innerMessage)
    {
        var queue = _routes.GetOrAdd($"POST {StatementsPath}", _ => new ConcurrentQueue<Func<string, (int, string)>>());
        queue.Enqueue(body =>
        {
            using var json = JsonDocument.Parse(body);
            var statements = SqlStatements.Split(json.RootElement.GetProperty("statement").GetString()!);
            var failed = statements[statementNumber - 1];
            return Responses.MultiStatementFailure(failed.Text, failed.Line, failed.Position, innerMessage);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        PublicKey.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        if (request.Path.StartsWithSegments(PipesPath.TrimEnd('/'), StringComparison.Ordinal))
        {
            await HandlePipeAsync(context);
            return;
        }

        var problem = CheckAuth(request) ?? CheckHeaders(request) ?? (request.Method == "POST" ? CheckSubmit(request, body) : CheckStatusRequest(request));
        if (problem is not null)
        {
            Problems.Enqueue(problem);
            await Respond(context, problem.StartsWith("auth", StringComparison.Ordinal) ? 401 : 400,
                $$"""{"code":"390000","message":{{JsonSerializer.Serialize(problem)}}}""");
            return;
        }

        if (request.Method == "POST" && RefuseAsSnowflakeDoes(body) is { } refusal)
        {
            Problems.Enqueue(refusal.Problem);
            await Respond(context, 422, refusal.Body);
            return;
        }

        if (request.Method == "POST" && ShowPipes(body) is { } pipes)
        {
            RememberHandles(pipes.Body);
            await Respond(context, pipes.Status, pipes.Body);
            return;
        }

        if (request.Method == "POST" && Stage is not null && RunCopy(body) is { } copyFailure)
        {
            await Respond(context, copyFailure.Status, copyFailure.Body);
            return;
        }

        var next = NextScript($"{request.Method} {request.Path}")(body);
        if (request.Method == "POST" && next.Status == 422 && StatementCount(body) > 1 && !next.Body.Contains("\"100132\"", StringComparison.Ordinal))
        {
            Problems.Enqueue("a failed multi-statement request is answered with Snowflake's wrapper error (code 100132): script it with FailStatement");
        }

        RememberHandles(next.Body);
        await Respond(context, next.Status, next.Body);
    }

    private async Task HandlePipeAsync(HttpContext context)
    {
        var request = context.Request;
        var problem = CheckAuth(request) ?? CheckPipeRequest(request);
        if (problem is not null)
        {
            Problems.Enqueue(problem);
            await Respond(context, problem.StartsWith("auth", StringComparison.Ordinal) ? 401 : 400, $$"""{"message":{{JsonSerializer.Serialize(problem)}}}""");
            return;
        }

        var segments = request.Path.Value![PipesPath.Length..].Split('/');
        if (segments[0] != Pipe)
        {
            // The docs: 404, "pipeName not recognized" (also for a role without the privilege).
            Problems.Enqueue($"pipe {segments[0]} is not {Pipe}");
            await Respond(context, 404, """{"message":"Specified object does not exist or not authorized. Pipe not found"}""");
            return;
        }

        switch (PipeAccess)
        {
            case PipeAccess.None:
                // The docs' 404 note: also returned when the role lacks privileges on the pipe.
                await Respond(context, 404, """{"message":"Specified object does not exist or not authorized. Pipe not found"}""");
                return;
            case PipeAccess.WithoutMonitor:
                // The load history needs MONITOR on the pipe (the Snowpipe REST API page; 09_snowpipe.sql grants it).
                await Respond(context, 403, """{"message":"Insufficient privileges to operate on pipe"}""");
                return;
        }

        if (Snowpipe is { } pipe && segments[1] == "loadHistoryScan")
        {
            var now = Time.GetUtcNow();
            var start = ParseTime(request.Query["startTimeInclusive"].ToString());
            var end = request.Query.ContainsKey("endTimeExclusive") ? ParseTime(request.Query["endTimeExclusive"].ToString()) : now;
            var (scanStatus, scanBody) = pipe.Scan(start, end, now);
            await Respond(context, scanStatus, scanBody);
            return;
        }

        var (status, answer) = NextScript($"GET {request.Path}")("");
        await Respond(context, status, answer);
    }

    // The route's next scripted answer; the last one repeats; an unscripted route is a problem and a 404.
    private Func<string, (int Status, string Body)> NextScript(string key)
    {
        if (_routes.TryGetValue(key, out var queue) && queue.TryDequeue(out var script))
        {
            _last[key] = script;
        }
        else if (!_last.TryGetValue(key, out script))
        {
            Problems.Enqueue($"unexpected {key}");
            script = _ => (404, """{"message":"no such route in the fake"}""");
        }

        return script;
    }

    private static string? CheckPipeRequest(HttpRequest request)
    {
        var segments = request.Path.Value![PipesPath.Length..].Split('/');
        var accept = request.Headers.Accept.ToString();
        if (request.Method != "GET" || segments.Length != 2 || segments[1] is not ("loadHistoryScan" or "insertReport"))
        {
            return $"pipe: {request.Method} {request.Path} is not a load-history endpoint";
        }

        if (!accept.Contains("application/json", StringComparison.Ordinal) && !accept.Contains("text/plain", StringComparison.Ordinal))
        {
            return "pipe: Accept is neither application/json nor text/plain";
        }

        if (segments[1] == "loadHistoryScan"
            && !DateTimeOffset.TryParseExact(request.Query["startTimeInclusive"].ToString(), ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
        {
            return "pipe: loadHistoryScan needs startTimeInclusive in ISO-8601 (2023-10-26T10:00:00Z)";
        }

        return request.Query.ContainsKey("requestId") && !Guid.TryParse(request.Query["requestId"], out _) ? "pipe: requestId is not a UUID" : null;
    }

    private (int Status, string Body)? ShowPipes(string body)
    {
        using var json = JsonDocument.Parse(body);
        var statement = json.RootElement.GetProperty("statement").GetString()!;
        if (!statement.StartsWith("SHOW PIPES IN SCHEMA ", StringComparison.Ordinal))
        {
            return null;
        }

        var schema = statement["SHOW PIPES IN SCHEMA ".Length..].Split('.');
        string[] columns = ["created_on", "name", "database_name", "schema_name", "definition", "owner", "notification_channel", "comment", "integration", "pattern", "error_integration", "owner_role_type", "invalid_reason", "kind"];
        var rows = Pipes.Select(p => new string?[]
        {
            "2026-11-25 12:00:00.000 +0000", p.Name, schema[0], schema.Length > 1 ? schema[1] : "", p.Definition, "SYSADMIN",
            "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-AIDAEXAMPLE-abcdEFGHijkl", "", null, null, null, "ROLE", null, "STAGE",
        }).ToArray();
        return Responses.Query(columns, rows);
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);

    // The COPY of a submit run over its staged file; Snowflake's failure answer when a value is refused.
    private (int Status, string Body)? RunCopy(string body)
    {
        using var json = JsonDocument.Parse(body);
        var statements = SqlStatements.Split(json.RootElement.GetProperty("statement").GetString()!);
        foreach (var statement in statements.Where(s => s.Text.StartsWith("COPY INTO ", StringComparison.Ordinal)))
        {
            var path = StagePathPattern().Match(statement.Text).Groups["path"].Value;
            var csv = Stage!(path);
            try
            {
                if (csv is null)
                {
                    throw new SnowflakeCopyException($"Remote file '{path}' was not found.");
                }

                Copied.Enqueue(SnowflakeCopy.Evaluate(statement.Text, csv, FileFormat.Value, path));
            }
            catch (SnowflakeCopyException e)
            {
                return statements.Count > 1
                    ? Responses.MultiStatementFailure(statement.Text, statement.Line, statement.Position, e.Message)
                    : Responses.Failure("100035", "22007", e.Message);
            }
        }

        return null;
    }

    /// <summary>CRYPTO_CSV_FORMAT as infra/snowflake/03_file_format.sql creates it.</summary>
    public static readonly Lazy<CsvFileFormat> FileFormat = new(() =>
        CsvFileFormat.FromScript(File.ReadAllText(RepoPaths.Path("infra", "snowflake", "03_file_format.sql"))));

    [System.Text.RegularExpressions.GeneratedRegex(@" FROM @[A-Za-z0-9_.]+/(?<path>[^)\s]+)\)")]
    private static partial System.Text.RegularExpressions.Regex StagePathPattern();

    private static int StatementCount(string body)
    {
        using var json = JsonDocument.Parse(body);
        return int.Parse(json.RootElement.GetProperty("parameters").GetProperty("MULTI_STATEMENT_COUNT").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    // What a real account answers 422 to, before running anything.
    private (string Problem, string Body)? RefuseAsSnowflakeDoes(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        foreach (var (field, name) in new[] { ("database", Objects.Database), ("schema", Objects.Schema), ("warehouse", Objects.Warehouse), ("role", Objects.Role) })
        {
            if (root.TryGetProperty(field, out var value) && value.GetString() != name)
            {
                return ($"submit: {field} \"{value.GetString()}\" is not \"{name}\" as SHOW returns it (the body is case-sensitive)",
                    Responses.Refusal("391918", "Unable to run command without specifying database/warehouse"));
            }
        }

        var count = StatementCount(body);
        var statements = SqlStatements.Split(root.GetProperty("statement").GetString()!).Count;
        if (count != 0 && count != statements)
        {
            return ($"submit: MULTI_STATEMENT_COUNT {count} but {statements} statements",
                Responses.Refusal("000008", $"Actual statement count {statements} did not match the desired statement count {count}."));
        }

        return null;
    }

    private string? CheckStatusRequest(HttpRequest request)
    {
        var handle = request.Path.Value is { } path && path.StartsWith(StatementsPath + "/", StringComparison.Ordinal) ? path[(StatementsPath.Length + 1)..] : null;
        return handle is null ? $"{request.Method} to {request.Path}"
            : !_handles.ContainsKey(handle) ? $"status: GET of handle {handle}, which Snowflake never returned"
            : null;
    }

    // Every handle an answer carries may be asked about later.
    private void RememberHandles(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (json.RootElement.TryGetProperty("statementHandle", out var handle) && handle.GetString() is { } h)
            {
                _handles[h] = true;
            }

            if (json.RootElement.TryGetProperty("statementHandles", out var handles))
            {
                foreach (var each in handles.EnumerateArray())
                {
                    _handles[each.GetString()!] = true;
                }
            }
        }
        catch (JsonException)
        {
            // A scripted non-JSON body (a proxy's page) carries no handle.
        }
    }

    private static async Task Respond(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private string? CheckAuth(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return "auth: no Bearer token";
        }

        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return "auth: not a JWT";
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!PublicKey.VerifyData(signed, System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "auth: signature does not verify with the user's public key";
        }

        using var head = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        if (head.RootElement.GetProperty("alg").GetString() != "RS256" || head.RootElement.GetProperty("typ").GetString() != "JWT")
        {
            return "auth: header is not RS256/JWT";
        }

        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        var iss = root.GetProperty("iss").GetString();
        var sub = root.GetProperty("sub").GetString();
        var iat = root.GetProperty("iat").GetInt64();
        var exp = root.GetProperty("exp").GetInt64();
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        return iss != ExpectedIssuer ? $"auth: iss {iss} is not {ExpectedIssuer}"
            : sub != ExpectedSubject ? $"auth: sub {sub} is not {ExpectedSubject}"
            : exp - iat > 3600 ? $"auth: lifetime {exp - iat}s is over an hour"
            : iat > now + 60 ? "auth: iat in the future"
            : exp <= now ? "auth: token expired"
            : null;
    }

    private static string? CheckHeaders(HttpRequest request) =>
        request.Headers["X-Snowflake-Authorization-Token-Type"] != "KEYPAIR_JWT" ? "header: X-Snowflake-Authorization-Token-Type is not KEYPAIR_JWT"
        : !request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal) ? "header: Accept is not application/json"
        : string.IsNullOrWhiteSpace(request.Headers.UserAgent) ? "header: no User-Agent"
        : null;

    private static string? CheckSubmit(HttpRequest request, string body)
    {
        if (request.Path != StatementsPath)
        {
            return $"submit: POST to {request.Path}";
        }

        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return "submit: Content-Type is not application/json";
        }

        if (!Guid.TryParse(request.Query["requestId"], out _))
        {
            return "submit: requestId is not a UUID";
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        foreach (var field in new[] { "statement", "database", "schema", "warehouse" })
        {
            if (!root.TryGetProperty(field, out var value) || string.IsNullOrWhiteSpace(value.GetString()))
            {
                return $"submit: no {field}";
            }
        }

        if (!root.TryGetProperty("timeout", out var timeout) || timeout.GetInt32() <= 0)
        {
            return "submit: no timeout";
        }

        var statement = root.GetProperty("statement").GetString()!;
        var count = StatementCount(body);
        var placeholders = statement.Count(c => c == '?');
        var bindings = root.TryGetProperty("bindings", out var b) ? b : default;
        if (count > 1 && bindings.ValueKind != JsonValueKind.Undefined)
        {
            return "submit: bindings in a multi-statement request";
        }

        var bound = bindings.ValueKind == JsonValueKind.Object ? bindings.EnumerateObject().Count() : 0;
        if (bound != placeholders)
        {
            return $"submit: {placeholders} placeholders but {bound} bindings";
        }

        for (var i = 1; i <= bound; i++)
        {
            if (!bindings.TryGetProperty(i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var binding)
                || binding.GetProperty("type").GetString() is not { Length: > 0 } || binding.GetProperty("value").ValueKind != JsonValueKind.String)
            {
                return $"submit: binding {i} is not {{type, value}}";
            }
        }

        return null;
    }
}
