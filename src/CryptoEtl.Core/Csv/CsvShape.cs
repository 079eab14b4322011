using System.Buffers;
using System.Text;

namespace CryptoEtl.Core.Csv;

/// <summary>
/// Checks a CSV stream against the schema without parsing values: the header must be exactly
/// CryptoSchema's and every record must have as many fields (RFC 4180 quoting understood).
/// Returns the number of data records. Vectorized searches jump between the bytes that matter.
/// </summary>
public sealed class CsvShape
{
    private static readonly SearchValues<byte> Structural = SearchValues.Create(",\"\n"u8);

    private readonly string _name;
    private readonly int _expectedFields = CryptoSchema.Columns.Count;
    private readonly List<byte> _header = new(CryptoSchema.CsvHeader.Length + 2);
    private bool _headerDone;
    private bool _inQuotes;
    private bool _recordHasBytes;
    private int _fields = 1;
    private int _records;

    private CsvShape(string name) => _name = name;

    /// <summary>Checks <paramref name="csv"/> (named <paramref name="name"/> in errors); returns its data records.</summary>
    /// <param name="csv">The CSV, read to its end.</param>
    /// <param name="name">The key, for messages.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="copyTo">Where the bytes go as they are checked (a local copy for the warehouse), so the CSV is read once; null for none.</param>
    public static async Task<int> CheckAsync(Stream csv, string name, CancellationToken cancellationToken, Stream? copyTo = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var shape = new CsvShape(name);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            int read;
            while ((read = await csv.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken)) > 0)
            {
                shape.Scan(buffer.AsSpan(0, read));
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            return shape.End();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // One state machine over the bytes, kept whole (64 lines): its quote/field/line states read best side by side, and it is Load's hot loop.
    private void Scan(ReadOnlySpan<byte> span)
    {
        while (!span.IsEmpty)
        {
            if (!_headerDone)
            {
                var newline = span.IndexOf((byte)'\n');
                _header.AddRange(newline < 0 ? span : span[..newline]);
                if (newline < 0)
                {
                    return;
                }

                CheckHeader();
                span = span[(newline + 1)..];
                continue;
            }

            if (_inQuotes)
            {
                // A doubled quote inside a quoted field leaves and re-enters the quotes.
                var quote = span.IndexOf((byte)'"');
                if (quote < 0)
                {
                    return;
                }

                _inQuotes = false;
                span = span[(quote + 1)..];
                continue;
            }

            var next = span.IndexOfAny(Structural);
            if (next != 0)
            {
                _recordHasBytes = true;
            }

            if (next < 0)
            {
                return;
            }

            switch (span[next])
            {
                case (byte)',':
                    _fields++;
                    _recordHasBytes = true;
                    break;
                case (byte)'"':
                    _inQuotes = true;
                    _recordHasBytes = true;
                    break;
                default:
                    _records++;
                    CheckFields();
                    _fields = 1;
                    _recordHasBytes = false;
                    break;
            }

            span = span[(next + 1)..];
        }
    }

    private int End()
    {
        if (!_headerDone)
        {
            CheckHeader();
        }

        if (_inQuotes)
        {
            throw new PipelineException(ErrorNames.CsvSchemaMismatch, $"{_name}: the file ends inside a quoted field");
        }

        if (_recordHasBytes)
        {
            _records++;
            CheckFields();
        }

        return _records;
    }

    private void CheckHeader()
    {
        _headerDone = true;
        var text = Encoding.UTF8.GetString(_header.ToArray()).TrimEnd('\r').TrimStart('\uFEFF');
        if (text != CryptoSchema.CsvHeader)
        {
            throw new PipelineException(
                ErrorNames.CsvSchemaMismatch,
                $"{_name}: the CSV header is not the schema's. Expected \"{CryptoSchema.CsvHeader}\", got \"{(text.Length <= 300 ? text : text[..300] + "...")}\"");
        }
    }

    private void CheckFields()
    {
        if (_fields != _expectedFields)
        {
            throw new PipelineException(
                ErrorNames.CsvSchemaMismatch,
                $"{_name}: record {_records} has {_fields} fields, the schema has {_expectedFields}");
        }
    }
}
