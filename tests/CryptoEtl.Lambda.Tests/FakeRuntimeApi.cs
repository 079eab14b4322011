using System.Globalization;
using System.Text;
using System.Threading.Channels;
using CryptoEtl.LambdaHosting;
using CryptoEtl.Testing;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Lambda.Tests;

/// <summary>An event the fake Runtime API hands out on GET /next.</summary>
public sealed record FakeEvent(string RequestId, DateTimeOffset Deadline, string Payload, string? TraceId = null);

/// <summary>What the runtime posted back: kind is "response", "error" or "init/error".</summary>
public sealed record PostedOutcome(string Kind, string? RequestId, string Body, string? ErrorTypeHeader);

/// <summary>
/// The documented Lambda Runtime API (2018-06-01) on a real local HTTP server: /next long-polls
/// until an event is queued; responses and errors are recorded in the order they arrive.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    private readonly Channel<FakeEvent> _events = Channel.CreateUnbounded<FakeEvent>();
    private readonly Channel<PostedOutcome> _outcomes = Channel.CreateUnbounded<PostedOutcome>();
    private LocalHttpServer _server = null!;

    /// <summary>When set, GET /next answers with this status instead of an event.</summary>
    public int? NextStatus { get; set; }

    /// <summary>host:port, the value for AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address => _server.BaseAddress.Authority;

    public IEnumerable<RecordedRequest> Requests => _server.Requests;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var api = new FakeRuntimeApi();
        api._server = await LocalHttpServer.StartAsync(api.HandleAsync);
        return api;
    }

    public void Enqueue(FakeEvent invocation) => _events.Writer.TryWrite(invocation);

    public async Task<PostedOutcome> NextOutcomeAsync() =>
        await _outcomes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var resource = path[Prefix.Length..];
        if (context.Request.Method == "GET" && resource == "invocation/next")
        {
            if (NextStatus is { } status)
            {
                context.Response.StatusCode = status;
                return;
            }

            FakeEvent next;
            try
            {
                next = await _events.Reader.ReadAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            context.Response.Headers[RuntimeApiClient.RequestIdHeader] = next.RequestId;
            context.Response.Headers[RuntimeApiClient.DeadlineHeader] =
                next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[RuntimeApiClient.FunctionArnHeader] = "arn:aws:lambda:us-east-1:123456789012:function:test";
            if (next.TraceId is not null)
            {
                context.Response.Headers[RuntimeApiClient.TraceIdHeader] = next.TraceId;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(next.Payload);
            return;
        }

        if (context.Request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var errorType = context.Request.Headers[RuntimeApiClient.ErrorTypeHeader].ToString();
        var parts = resource.Split('/');
        PostedOutcome? outcome = parts switch
        {
            ["init", "error"] => new("init/error", null, body, errorType),
            ["invocation", var id, "response"] => new("response", id, body, null),
            ["invocation", var id, "error"] => new("error", id, body, errorType),
            _ => null,
        };
        if (outcome is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        _outcomes.Writer.TryWrite(outcome);
        context.Response.StatusCode = 202;
        await context.Response.WriteAsync("{\"status\":\"OK\"}");
    }
}
