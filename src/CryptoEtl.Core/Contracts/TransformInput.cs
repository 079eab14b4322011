using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

public sealed record TransformInput
{
    [JsonPropertyName("raw_key")]
    public required string RawKey { get; init; }
}
