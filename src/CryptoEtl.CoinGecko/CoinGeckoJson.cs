using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CryptoEtl.CoinGecko;

/// <summary>
/// Checks CoinGecko bodies with a forward-only reader, without building objects: the bytes are kept
/// verbatim, so this only answers "is it the shape we asked for" (and collects coin ids to count).
/// </summary>
internal static class CoinGeckoJson
{
    private static readonly JsonReaderOptions Strict = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>Null when <paramref name="json"/> is one complete array of objects; otherwise what is wrong.</summary>
    public static string? CheckMarketsPage(ReadOnlySpan<byte> json, List<string?> coinIds)
    {
        var reader = new Utf8JsonReader(json, Strict);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return $"expected a JSON array, got {Describe(json)}";
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return $"expected coin objects in the array, got {reader.TokenType} at byte {reader.TokenStartIndex}";
                }

                coinIds.Add(ReadCoinId(ref reader));
            }

            return reader.TokenType != JsonTokenType.EndArray || reader.Read()
                ? $"the array is not closed or is followed by more content (body of {json.Length} bytes)"
                : null;
        }
        catch (JsonException ex)
        {
            return $"not valid JSON (truncated?) at byte {reader.BytesConsumed} of {json.Length}: {ex.Message}";
        }
    }

    /// <summary>Null when <paramref name="json"/> is one complete object with a "data" object (/global).</summary>
    public static string? CheckGlobal(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, Strict);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return $"expected a JSON object, got {Describe(json)}";
            }

            var hasData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isData = reader.ValueTextEquals("data"u8);
                reader.Read();
                hasData |= isData && reader.TokenType == JsonTokenType.StartObject;
                reader.Skip();
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return $"the object is not closed or is followed by more content (body of {json.Length} bytes)";
            }

            return hasData ? null : "the object has no \"data\" object";
        }
        catch (JsonException ex)
        {
            return $"not valid JSON (truncated?) at byte {reader.BytesConsumed} of {json.Length}: {ex.Message}";
        }
    }

    /// <summary>/global's data.active_cryptocurrencies: how many coins CoinGecko lists; null when absent.</summary>
    public static int? ReadActiveCoins(ReadOnlySpan<byte> global)
    {
        var reader = new Utf8JsonReader(global, Strict);
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("active_cryptocurrencies", out var active) && active.TryGetInt32(out var count) && count > 0
                ? count
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    // The reader is on a coin's StartObject; leaves it on the matching EndObject.
    private static string? ReadCoinId(ref Utf8JsonReader reader)
    {
        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                id = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return id;
    }

    /// <summary>
    /// CoinGecko's own code and message from an error body, in any of the shapes it sends:
    /// {"status":{"error_code":..,"error_message":..}}, {"error_code":..,"status":{"error_message":..}},
    /// {"error":{"status":{..}}}, {"error":"..."}, or an HTML page (Cloudflare) whose title is used.
    /// </summary>
    public static (int? Code, string Message) ReadError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, Strict);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var error = root.TryGetProperty("error", out var e) ? e : default;
                var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s
                    : error.ValueKind == JsonValueKind.Object && error.TryGetProperty("status", out var es) ? es
                    : default;
                var code = IntOf(status, "error_code") ?? IntOf(root, "error_code") ?? IntOf(error, "error_code");
                var message = StringOf(status, "error_message") ?? StringOf(root, "error_message")
                    ?? (error.ValueKind == JsonValueKind.String ? error.GetString() : null)
                    ?? StringOf(error, "error_message") ?? StringOf(root, "message");
                return (code, Clip(message ?? root.GetRawText()));
            }

            return (null, Clip(root.GetRawText()));
        }
        catch (JsonException)
        {
            return (null, Clip(TextOf(body)));
        }
    }

    private static int? IntOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt32(out var n) => n,
                JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                _ => null,
            }
            : null;

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    // An HTML error page (Cloudflare's) says the most in its title; anything else, its first words.
    private static string TextOf(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 64 * 1024)]);
        var start = text.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
        var end = start < 0 ? -1 : text.IndexOf("</title>", start, StringComparison.OrdinalIgnoreCase);
        var picked = end > start ? "HTML page: " + text[(start + 7)..end] : text;
        return string.Join(' ', picked.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Describe(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? "an empty body" : $"\"{Clip(TextOf(json), 80)}\"";

    private static string Clip(string text, int max = 300) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "...");
}
