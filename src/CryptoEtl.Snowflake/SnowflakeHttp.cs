using System.Net.Http.Headers;

namespace CryptoEtl.Snowflake;

/// <summary>
/// How every request reaches Snowflake, for the SQL API and the Snowpipe REST API alike: the
/// account's base URL, the key-pair JWT as the bearer token, JSON accepted, our User-Agent.
/// </summary>
internal sealed class SnowflakeHttp
{
    private readonly HttpClient _http;
    private readonly KeyPairJwt _jwt;
    private readonly string _userAgent;

    public SnowflakeHttp(HttpClient http, SnowflakeOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _http = http;
        _jwt = new KeyPairJwt(options.Account, options.User, options.PrivateKey, time);
        _userAgent = options.UserAgent;
        // A trailing slash, so a relative path appends instead of replacing the last segment.
        var url = options.ApiBaseUrl.AbsoluteUri;
        BaseUrl = new Uri(url.EndsWith('/') ? url : url + "/");
    }

    public Uri BaseUrl { get; }

    /// <summary>A request to <paramref name="path"/> (relative to <see cref="BaseUrl"/>) with the token and headers set.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _jwt.Token());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(_userAgent);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
}
