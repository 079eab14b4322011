using System.Text.Encodings.Web;
using System.Text.Json;

namespace CryptoEtl.Core;

/// <summary>
/// Writes the raw object in the <see cref="RawSnapshot"/> layout, streaming: the metadata, the
/// /global response and then each /coins/markets page, CoinGecko's bytes embedded as they came so
/// no number is ever re-rounded. Call <see cref="CompleteAsync"/> after the last page.
/// </summary>
public sealed class RawSnapshotWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new()
    {
        // A file, not HTML: keep '&' in URLs readable instead of \u0026.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Utf8JsonWriter _json;
    private readonly bool _validate;

    /// <summary>Writes the metadata and /global (empty for none: written as null), then opens the pages.</summary>
    public RawSnapshotWriter(Stream stream, RawSnapshotMetadata metadata, ReadOnlySpan<byte> globalJson, bool validate = true)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        _validate = validate;
        _json = new Utf8JsonWriter(stream, Options);
        _json.WriteStartObject();
        WriteMetadata(metadata);
        WriteGlobal(globalJson, validate);
        _json.WriteStartArray(RawSnapshot.Pages);
    }

    private void WriteMetadata(RawSnapshotMetadata metadata)
    {
        _json.WriteStartObject(RawSnapshot.Metadata);
        _json.WriteString(RawSnapshot.Source, "CoinGecko");
        _json.WriteString(RawSnapshot.Attribution, RawSnapshot.CoinGeckoAttribution);
        _json.WriteString(RawSnapshot.FetchTime, ObjectKeys.Iso(metadata.FetchTime));
        _json.WriteString(RawSnapshot.VsCurrency, metadata.VsCurrency);
        _json.WriteNumber(RawSnapshot.PerPage, metadata.PerPage);
        _json.WriteString(RawSnapshot.PagesRequested, metadata.PagesRequested.ToString());
        _json.WriteNumber(RawSnapshot.PagesFetched, metadata.PagesFetched);
        _json.WriteBoolean(RawSnapshot.Complete, metadata.NextPage is null);
        if (metadata.NextPage is { } next)
        {
            _json.WriteNumber(RawSnapshot.NextPage, next);
        }
        else
        {
            _json.WriteNull(RawSnapshot.NextPage);
        }

        _json.WriteStartArray(RawSnapshot.Urls);
        foreach (var url in metadata.Urls)
        {
            _json.WriteStringValue(url.AbsoluteUri);
        }

        _json.WriteEndArray();
        if (metadata.GlobalUrl is { } globalUrl)
        {
            _json.WriteString(RawSnapshot.GlobalUrl, globalUrl.AbsoluteUri);
        }
        else
        {
            _json.WriteNull(RawSnapshot.GlobalUrl);
        }

        if (metadata.Coins is { } coins)
        {
            _json.WriteNumber(RawSnapshot.Coins, coins);
        }

        if (metadata.ActiveCoins is { } active)
        {
            _json.WriteNumber(RawSnapshot.ActiveCoins, active);
        }

        if (metadata.EndDoubt is { } doubt)
        {
            _json.WriteString(RawSnapshot.EndDoubt, doubt);
        }

        _json.WriteEndObject();
    }

    private void WriteGlobal(ReadOnlySpan<byte> globalJson, bool validate)
    {
        _json.WritePropertyName(RawSnapshot.Global);
        if (globalJson.IsEmpty)
        {
            _json.WriteNullValue();
        }
        else
        {
            _json.WriteRawValue(globalJson, skipInputValidation: !validate);
        }
    }

    /// <summary>One /coins/markets page, embedded byte for byte.</summary>
    public void WritePage(ReadOnlySpan<byte> pageJson) => _json.WriteRawValue(pageJson, skipInputValidation: !_validate);

    /// <summary>Hands what is buffered to the stream (between pages, so a large object is never held whole).</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _json.FlushAsync(cancellationToken);

    /// <summary>Closes the pages and the object, and flushes.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _json.WriteEndArray();
        _json.WriteEndObject();
        await _json.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();
}
