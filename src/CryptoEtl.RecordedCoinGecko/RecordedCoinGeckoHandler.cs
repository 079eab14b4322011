using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using CryptoEtl.CoinGecko;
using CryptoEtl.Core;

namespace CryptoEtl.RecordedCoinGecko;

/// <summary>
/// Answers CoinGecko's URLs from recorded responses, so offline runs go through the real client:
/// /coins/markets page N is recorded page N (verbatim when per_page matches the recording, else
/// the same coins re-cut to per_page), a page beyond the recording is [] (the end of the market),
/// /global is the recorded /global. Only the recorded currency is served; others get CoinGecko's 400.
/// </summary>
public sealed class RecordedCoinGeckoHandler : HttpMessageHandler
{
    private readonly IReadOnlyList<byte[]> _pages;
    private readonly byte[] _global;
    private readonly string _vsCurrency;
    private readonly List<ReadOnlyMemory<byte>> _coins = [];
    private readonly int[] _pageSizes;

    public RecordedCoinGeckoHandler(IReadOnlyList<byte[]> pages, byte[] global, string vsCurrency = "usd")
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(vsCurrency);
        _pages = pages;
        _global = global;
        _vsCurrency = vsCurrency;
        _pageSizes = new int[pages.Count];
        for (var i = 0; i < pages.Count; i++)
        {
            _pageSizes[i] = SplitCoins(pages[i], _coins);
        }
    }

    /// <summary>The coins in the recorded pages.</summary>
    public int CoinCount => _coins.Count;

    /// <summary>The pace of a run on a recording: as good as none (nothing is rate limited offline), within <see cref="CoinGeckoOptions.MaxCallsPerMinute"/>.</summary>
    public const double CallsPerMinute = 60_000;

    /// <summary>A client on a recording: the real client code, with no pacing (nothing is rate limited offline).</summary>
    public static CoinGeckoClient CreateClient(IReadOnlyList<byte[]> pages, byte[] global, TimeProvider time) =>
        new(new HttpClient(new RecordedCoinGeckoHandler(pages, global)), new CoinGeckoOptions { CallsPerMinute = CallsPerMinute }, time);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri!;
        var query = ParseQuery(url.Query);
        var response = url.AbsolutePath switch
        {
            _ when request.Method != HttpMethod.Get => Answer(HttpStatusCode.MethodNotAllowed, """{"error":"method not allowed"}"""u8.ToArray()),
            var path when path.EndsWith("/global", StringComparison.Ordinal) => Answer(HttpStatusCode.OK, _global),
            var path when path.EndsWith("/coins/markets", StringComparison.Ordinal) => Markets(query),
            _ => Answer(HttpStatusCode.NotFound, """{"error":"Not Found"}"""u8.ToArray()),
        };
        return Task.FromResult(response);
    }

    private HttpResponseMessage Markets(Dictionary<string, string> query)
    {
        if (!query.TryGetValue("vs_currency", out var currency) || currency != _vsCurrency)
        {
            return Answer(HttpStatusCode.BadRequest, Encoding.UTF8.GetBytes($$"""{"error":"invalid vs_currency (the recording has {{_vsCurrency}} only)"}"""));
        }

        var page = query.TryGetValue("page", out var p) && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : 1;
        var perPage = query.TryGetValue("per_page", out var pp) && int.TryParse(pp, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m >= 1
            ? Math.Min(m, ICoinMarketSource.MaxPerPage)
            : 100;

        // The recording's own pagination: serve its bytes untouched.
        if (page <= _pages.Count && _pageSizes.Take(page - 1).All(size => size == perPage)
            && (_pageSizes[page - 1] == perPage || (page == _pages.Count && _pageSizes[page - 1] < perPage)))
        {
            return Answer(HttpStatusCode.OK, _pages[page - 1]);
        }

        var first = (long)(page - 1) * perPage;
        var slice = first >= _coins.Count ? [] : _coins.Skip((int)first).Take(perPage).ToList();
        using var body = new MemoryStream();
        body.WriteByte((byte)'[');
        for (var i = 0; i < slice.Count; i++)
        {
            if (i > 0)
            {
                body.WriteByte((byte)',');
            }

            body.Write(slice[i].Span);
        }

        body.WriteByte((byte)']');
        return Answer(HttpStatusCode.OK, body.ToArray());
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpResponseMessage(status) { Content = content };
    }

    // Each coin object's bytes within the page, so a re-cut page keeps every number as recorded.
    private static int SplitCoins(byte[] page, List<ReadOnlyMemory<byte>> coins)
    {
        var reader = new Utf8JsonReader(page);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new PipelineException(ErrorNames.Configuration, "a recorded /coins/markets page is not a JSON array");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            coins.Add(page.AsMemory(start, (int)reader.BytesConsumed - start));
            count++;
        }

        return count;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            values[name] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        return values;
    }
}
