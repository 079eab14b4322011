using System.Buffers;
using System.Text;

namespace CryptoEtl.Core.Csv;

/// <summary>
/// Checks a CSV stream against the schema without parsing values: the header must be exactly
/// CryptoSchema's and every record must have as many fields (RFC 4180 quoting understood).
/// Returns the number of data records.
/// </summary>
public static class CsvShape
{
    public static async Task<int> CheckAsync(Stream csv, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var expectedFields = CryptoSchema.Columns.Count;
        var header = new List<byte>(CryptoSchema.CsvHeader.Length + 2);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var inHeader = true;
            var inQuotes = false;
            var fields = 1;
            var records = 0;
            var recordHasBytes = false;
            int read;
            while ((read = await csv.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var b = buffer[i];
                    if (inHeader)
                    {
                        if (b == (byte)'\n')
                        {
                            CheckHeader(header, name);
                            inHeader = false;
                        }
                        else
                        {
                            header.Add(b);
                        }

                        continue;
                    }

                    if (inQuotes)
                    {
                        if (b == (byte)'"')
                        {
                            inQuotes = false;
                        }

                        continue;
                    }

                    if (b == (byte)'"')
                    {
                        // A doubled quote inside a quoted field re-enters the quotes.
                        inQuotes = true;
                        recordHasBytes = true;
                        continue;
                    }

                    switch (b)
                    {
                        case (byte)',':
                            fields++;
                            recordHasBytes = true;
                            break;
                        case (byte)'\n':
                            records++;
                            CheckFields(fields, expectedFields, records, name);
                            fields = 1;
                            recordHasBytes = false;
                            break;
                        case (byte)'\r':
                            break;
                        default:
                            recordHasBytes = true;
                            break;
                    }
                }
            }

            if (inHeader)
            {
                CheckHeader(header, name);
            }

            if (inQuotes)
            {
                throw new PipelineException(ErrorNames.CsvSchemaMismatch, $"{name}: the file ends inside a quoted field");
            }

            if (recordHasBytes)
            {
                records++;
                CheckFields(fields, expectedFields, records, name);
            }

            return records;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckHeader(List<byte> header, string name)
    {
        var text = Encoding.UTF8.GetString(header.ToArray()).TrimEnd('\r').TrimStart('\uFEFF');
        if (text != CryptoSchema.CsvHeader)
        {
            throw new PipelineException(
                ErrorNames.CsvSchemaMismatch,
                $"{name}: the CSV header is not the schema's. Expected \"{CryptoSchema.CsvHeader}\", got \"{Shorten(text)}\"");
        }
    }

    private static void CheckFields(int fields, int expected, int record, string name)
    {
        if (fields != expected)
        {
            throw new PipelineException(
                ErrorNames.CsvSchemaMismatch,
                $"{name}: record {record} has {fields} fields, the schema has {expected}");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
