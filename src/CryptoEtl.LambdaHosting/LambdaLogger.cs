using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.LambdaHosting;

/// <summary>A named value on a log line: a string, a whole or real number, a bool or null.</summary>
public readonly record struct LogField(string Name, object? Value);

/// <summary>
/// Writes one JSON object per line (timestamp, level, requestId, message, fields), which
/// CloudWatch Logs indexes as is. Each line goes out in one write, so lines never interleave.
/// Never pass a secret: every field is written verbatim.
/// </summary>
public sealed class LambdaLogger
{
    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public LambdaLogger(Stream output, TimeProvider time)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>The invocation in progress; null between invocations and during init.</summary>
    public string? RequestId { get; internal set; }

    public void Info(string message, params ReadOnlySpan<LogField> fields) => Write("INFO", message, fields);

    public void Warn(string message, params ReadOnlySpan<LogField> fields) => Write("WARN", message, fields);

    public void Error(string message, params ReadOnlySpan<LogField> fields) => Write("ERROR", message, fields);

    public void Write(string level, string message, ReadOnlySpan<LogField> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            if (RequestId is not null)
            {
                json.WriteString("requestId", RequestId);
            }

            json.WriteString("message", message);
            foreach (var field in fields)
            {
                WriteValue(json, field.Name, field.Value);
            }

            json.WriteEndObject();
        }

        WriteLine(buffer.WrittenSpan);
    }

    /// <summary>Writes a line that is already one JSON object (an EMF record).</summary>
    internal void WriteLine(ReadOnlySpan<byte> json)
    {
        var line = ArrayPool<byte>.Shared.Rent(json.Length + 1);
        try
        {
            json.CopyTo(line);
            line[json.Length] = (byte)'\n';
            lock (_gate)
            {
                _output.Write(line, 0, json.Length + 1);
                _output.Flush();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    internal static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case string s:
                json.WriteString(name, s);
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case long l:
                json.WriteNumber(name, l);
                break;
            case double d:
                json.WriteNumber(name, d);
                break;
            case DateTimeOffset t:
                json.WriteString(name, t);
                break;
            default:
                json.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
