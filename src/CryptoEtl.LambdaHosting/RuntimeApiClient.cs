using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using CryptoEtl.Core;

namespace CryptoEtl.LambdaHosting;

/// <summary>
/// A client of the Lambda Runtime API, version 2018-06-01, at http://$AWS_LAMBDA_RUNTIME_API.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private readonly HttpClient _http;

    /// <param name="runtimeApi">host:port, the value of AWS_LAMBDA_RUNTIME_API.</param>
    public RuntimeApiClient(string runtimeApi)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        // /next is a long poll that lasts until the next event arrives, however long that is; the
        // Runtime API is local, so never route it through a proxy.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/runtime/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RuntimeApiException($"GET invocation/next answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var requestId = Header(response, RequestIdHeader)
            ?? throw new RuntimeApiException($"GET invocation/next answered without {RequestIdHeader}");
        var deadline = long.TryParse(Header(response, DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw new RuntimeApiException($"GET invocation/next answered without a valid {DeadlineHeader}");
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Invocation(requestId, deadline, Header(response, FunctionArnHeader), Header(response, TraceIdHeader), payload);
    }

    public Task PostResponseAsync(string requestId, byte[] payload, CancellationToken cancellationToken) =>
        PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", payload, errorType: null, cancellationToken);

    public Task PostErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", error.ToJsonBytes(), error.ErrorType, cancellationToken);
    }

    public Task PostInitErrorAsync(LambdaError error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return PostAsync("init/error", error.ToJsonBytes(), error.ErrorType, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task PostAsync(string path, byte[] body, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new RuntimeApiException($"POST {path} answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
