using System.Text.Json;
using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

/// <summary>Times in the step JSON as ISO 8601 UTC with Z, to the second, like fetch_time in the CSV.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TryGetDateTimeOffset(out var value)
            ? value
            : throw new JsonException($"expected an ISO 8601 time such as 2026-11-25T12:00:00Z, got {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(ObjectKeys.Iso(value));
    }
}
