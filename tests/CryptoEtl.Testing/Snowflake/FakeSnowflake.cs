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
/// single-statement request, MULTI_STATEMENT_COUNT matching the statements). Anything else is
/// answered 400/401 and listed in <see cref="Problems"/>. Answers are scripted per route.
/// </summary>
public sealed class FakeSnowflake : IAsyncDisposable
{
    public const string StatementsPath = "/api/v2/statements";
    private readonly LocalHttpServer _server;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body)>> _routes = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _last = new();

    private FakeSnowflake(LocalHttpServer server) => _server = server;

    public ConcurrentQueue<string> Problems { get; } = new();

    public Uri BaseAddress => _server.BaseAddress;

    public IReadOnlyList<RecordedRequest> Requests => [.. _server.Requests];

    public required RSA PublicKey { get; init; }

    public required string ExpectedIssuer { get; init; }

    public required string ExpectedSubject { get; init; }

    public required TimeProvider Time { get; init; }

    public static async Task<FakeSnowflake> StartAsync(string expectedIssuer, string expectedSubject, TimeProvider time)
    {
        FakeSnowflake? fake = null;
        var server = await LocalHttpServer.StartAsync(context => fake!.HandleAsync(context));
        fake = new FakeSnowflake(server)
        {
            PublicKey = TestKeys.PublicKey(),
            ExpectedIssuer = expectedIssuer,
            ExpectedSubject = expectedSubject,
            Time = time,
        };
        return fake;
    }

    /// <summary>Answers METHOD PATH with these responses in turn; the last one repeats.</summary>
    public void On(string method, string path, params (int Status, string Body)[] responses)
    {
        var queue = _routes.GetOrAdd($"{method} {path}", _ => new ConcurrentQueue<(int, string)>());
        foreach (var response in responses)
        {
            queue.Enqueue(response);
        }
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
        var problem = CheckAuth(request) ?? CheckHeaders(request) ?? (request.Method == "POST" ? CheckSubmit(request, body) : null);
        if (problem is not null)
        {
            Problems.Enqueue(problem);
            await Respond(context, problem.StartsWith("auth", StringComparison.Ordinal) ? 401 : 400,
                $$"""{"code":"390000","message":{{JsonSerializer.Serialize(problem)}}}""");
            return;
        }

        var key = $"{request.Method} {request.Path}";
        if (_routes.TryGetValue(key, out var queue) && queue.TryDequeue(out var next))
        {
            _last[key] = next;
        }
        else if (!_last.TryGetValue(key, out next))
        {
            Problems.Enqueue($"unexpected {key}");
            next = (404, """{"message":"no such route in the fake"}""");
        }

        await Respond(context, next.Status, next.Body);
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
        var count = int.Parse(root.GetProperty("parameters").GetProperty("MULTI_STATEMENT_COUNT").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var statements = statement.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
        if (count != statements)
        {
            return $"submit: MULTI_STATEMENT_COUNT {count} but {statements} statements";
        }

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
