using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.Core.Transform;

/// <summary>
/// Streams a raw snapshot object (see <see cref="RawSnapshot"/>) through Utf8JsonReader over a
/// pooled buffer that is refilled from the stream, so memory stays flat whatever the object's
/// size. Utf8JsonReader is a ref struct and cannot live across an await, so parsing is a
/// synchronous run over whatever is buffered, stopping at the last complete unit (a token, a
/// coin, the metadata); the stream is read asynchronously in between.
/// </summary>
internal sealed class RawSnapshotReader : IDisposable
{
    // 256 KB: as CPU-cheap as 1 MB once the folder store reads inline (InlineFileStream), and a
    // quarter of the memory to fault in; a refill re-parses only the one unit it cut.
    private const int InitialBufferSize = 1 << 18;
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly string _key;
    private readonly ICoinSink _sink;
    private readonly CoinReader _coinReader = new();
    private readonly CoinRecord _coin = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private bool _finalBlock;
    private bool _firstFill = true;
    private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
    private Position _position;
    private int _page;
    private int _index;
    private int _ordinal;
    private bool _sawPages;
    private JsonDocument? _metadata;
    private JsonDocument? _global;
    private bool _sawGlobal;

    private RawSnapshotReader(string key, ICoinSink sink)
    {
        _key = key;
        _sink = sink;
    }

    private enum Position
    {
        Start,
        RootProperties,
        Pages,
        InPage,
        Done,
    }

    /// <summary>Reads the whole object, handing every page element to <paramref name="sink"/>.</summary>
    public static async Task<RawSnapshotHeader> ReadAsync(Stream stream, string key, ICoinSink sink, CancellationToken cancellationToken)
    {
        using var reader = new RawSnapshotReader(key, sink);
        return await reader.ReadAllAsync(stream, cancellationToken);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _metadata?.Dispose();
        _global?.Dispose();
    }

    private async Task<RawSnapshotHeader> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            await FillAsync(stream, cancellationToken);
            bool done;
            try
            {
                done = ParseBuffered();
            }
            catch (JsonException ex)
            {
                // System.Text.Json quotes a bad literal whole (a CSV's 262 KB first line): keep the line short.
                var detail = ex.Message.Length <= 160 ? ex.Message : $"{ex.Message[..160]}...";
                throw Invalid($"is not valid JSON ({detail}); expected the raw snapshot JSON object Extract writes under raw/", ex);
            }

            await _sink.OnBufferDoneAsync(cancellationToken);
            if (done)
            {
                return Header();
            }

            if (_finalBlock)
            {
                throw Invalid("ends before its JSON document does");
            }
        }
    }

    private async Task FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _start = 0;
            _end = pending;
        }
        else if (_end == _buffer.Length)
        {
            // One unit (a coin, the metadata) is larger than the buffer: grow it.
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var wanted = _buffer.Length - _end;
        int read;
        try
        {
            read = await stream.ReadAtLeastAsync(_buffer.AsMemory(_end, wanted), wanted, throwOnEndOfStream: false, cancellationToken);
        }
        catch (IOException ex)
        {
            throw new PipelineException(ErrorNames.StorageUnavailable, $"reading {_key} failed: {ex.Message}", ex);
        }

        _end += read;
        _finalBlock = read < wanted;
        if (_firstFill)
        {
            _firstFill = false;
            if (_buffer.AsSpan(0, _end).StartsWith(Utf8Bom))
            {
                _start = Utf8Bom.Length;
            }
        }
    }

    /// <summary>Parses complete units from the buffer; true once the root object has ended.</summary>
    private bool ParseBuffered()
    {
        var json = _buffer.AsSpan(_start, _end - _start);
        var reader = new Utf8JsonReader(json, _finalBlock, _state);
        var consumed = 0L;
        var state = _state;
        while (_position != Position.Done && TryParseUnit(ref reader, json))
        {
            consumed = reader.BytesConsumed;
            state = reader.CurrentState;
        }

        _start += checked((int)consumed);
        _state = state;
        return _position == Position.Done;
    }

    /// <summary>Parses one unit; false (and nothing changed) when the buffer ends inside it.</summary>
    private bool TryParseUnit(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (!reader.Read())
        {
            return false;
        }

        switch (_position)
        {
            case Position.Start:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Invalid($"is not a JSON object (starts with {reader.TokenType})");
                }

                _position = Position.RootProperties;
                return true;

            case Position.RootProperties:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    _position = Position.Done;
                    return true;
                }

                return TryParseRootProperty(ref reader);

            case Position.Pages:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _position = Position.RootProperties;
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Invalid($"has a \"{RawSnapshot.Pages}\" element {_page + 1} that is not an array but {reader.TokenType}");
                }

                _page++;
                _index = 0;
                _position = Position.InPage;
                return true;

            default:
                return TryParsePageElement(ref reader, json);
        }
    }

    private bool TryParseRootProperty(ref Utf8JsonReader reader)
    {
        var isMetadata = reader.ValueTextEquals(RawSnapshot.Metadata);
        var isGlobal = !isMetadata && reader.ValueTextEquals(RawSnapshot.Global);
        var isPages = !isMetadata && !isGlobal && reader.ValueTextEquals(RawSnapshot.Pages);
        if (!reader.Read())
        {
            return false;
        }

        if (isPages)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Invalid($"has \"{RawSnapshot.Pages}\" that is not an array but {reader.TokenType}");
            }

            _sawPages = true;
            _position = Position.Pages;
            return true;
        }

        if (!isMetadata && !isGlobal)
        {
            return reader.TrySkip();
        }

        // Metadata and global are small: check the whole value is buffered, then parse it as a document.
        var probe = reader;
        if (!probe.TrySkip())
        {
            return false;
        }

        var document = JsonDocument.ParseValue(ref reader);
        if (isMetadata)
        {
            _metadata?.Dispose();
            _metadata = document;
        }
        else
        {
            _global?.Dispose();
            _global = document;
            _sawGlobal = true;
        }

        return true;
    }

    private bool TryParsePageElement(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.EndArray:
                _position = Position.Pages;
                return true;
            case JsonTokenType.StartObject:
                if (!_coinReader.TryRead(ref reader, _coin))
                {
                    return false;
                }

                _sink.OnCoin(json, _coin, new CoinPosition(_ordinal++, _page, _index++));
                return true;
            default:
                if (!reader.TrySkip())
                {
                    return false;
                }

                _sink.OnNotAnObject(new CoinPosition(_ordinal++, _page, _index++));
                return true;
        }
    }

    private RawSnapshotHeader Header()
    {
        if (_metadata is null || _metadata.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"has no \"{RawSnapshot.Metadata}\" object");
        }

        if (!_sawPages)
        {
            throw Invalid($"has no \"{RawSnapshot.Pages}\" array");
        }

        var metadata = _metadata.RootElement;
        var fetchTimeText = metadata.TryGetProperty(RawSnapshot.FetchTime, out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (!DateTimeOffset.TryParse(fetchTimeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var fetchTime))
        {
            throw Invalid($"has no valid {RawSnapshot.Metadata}.{RawSnapshot.FetchTime} (got {(fetchTimeText is null ? "none" : $"\"{fetchTimeText}\"")})");
        }

        var vsCurrency = metadata.TryGetProperty(RawSnapshot.VsCurrency, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (string.IsNullOrWhiteSpace(vsCurrency))
        {
            throw Invalid($"has no {RawSnapshot.Metadata}.{RawSnapshot.VsCurrency}");
        }

        bool? complete = metadata.TryGetProperty(RawSnapshot.Complete, out var c) && c.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? c.GetBoolean()
            : null;

        // The fetch time has one source, the object's metadata; the key only names it. A raw object
        // stored under another time's key would overwrite that snapshot's CSV, so it is refused.
        var snapshot = SnapshotId.Of(fetchTime);
        if (_key != snapshot.RawKey)
        {
            throw Invalid($"records {RawSnapshot.Metadata}.{RawSnapshot.FetchTime} {snapshot.Iso}, whose raw key is {snapshot.RawKey}; nothing written");
        }

        var (globalTotal, globalProblem) = GlobalTotalMarketCap(vsCurrency);
        return new RawSnapshotHeader(snapshot, vsCurrency, complete, globalTotal, globalProblem);
    }

    private (double? Total, string? Problem) GlobalTotalMarketCap(string vsCurrency)
    {
        if (!_sawGlobal || _global!.RootElement.ValueKind == JsonValueKind.Null)
        {
            return (null, $"the raw object has no \"{RawSnapshot.Global}\" response");
        }

        var root = _global.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"has \"{RawSnapshot.Global}\" that is neither an object nor null but {root.ValueKind}");
        }

        if (!root.TryGetProperty("data"u8, out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("total_market_cap"u8, out var totals) || totals.ValueKind != JsonValueKind.Object)
        {
            return (null, $"{RawSnapshot.Global}.data.total_market_cap is missing");
        }

        foreach (var total in totals.EnumerateObject())
        {
            if (string.Equals(total.Name, vsCurrency, StringComparison.OrdinalIgnoreCase))
            {
                return total.Value.ValueKind == JsonValueKind.Number && total.Value.TryGetDouble(out var value) && double.IsFinite(value) && value != 0
                    ? (value, null)
                    : (null, $"{RawSnapshot.Global}.data.total_market_cap.{total.Name} is not a non-zero number");
            }
        }

        return (null, $"{RawSnapshot.Global}.data.total_market_cap has no \"{vsCurrency}\"");
    }

    private PipelineException Invalid(string what, Exception? inner = null) =>
        new(ErrorNames.RawObjectInvalid, $"raw object {_key} {what}", inner);
}
