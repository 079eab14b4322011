using System.Text.Json.Serialization;

namespace CryptoEtl.Core.Transform;

/// <summary>System.Text.Json source generation for the quality object (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QualityReport))]
public sealed partial class QualityJsonContext : JsonSerializerContext;
