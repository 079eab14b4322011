namespace CryptoEtl.Core;

/// <summary>The content types objects are stored with, and the one a key implies.</summary>
public static class ContentTypes
{
    public const string Json = "application/json";
    public const string Csv = "text/csv; charset=utf-8";
    public const string Html = "text/html; charset=utf-8";

    public static string FromKey(string key) =>
        key.EndsWith(".json", StringComparison.Ordinal) ? Json
        : key.EndsWith(".csv", StringComparison.Ordinal) ? Csv
        : key.EndsWith(".html", StringComparison.Ordinal) ? Html
        : "application/octet-stream";
}
