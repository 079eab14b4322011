using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

// The JSON each step takes and returns: the Lambda payloads, the state machine's data and the
// CLI's --input/stdout. Only keys, counts and the fetch time travel; never the data itself.

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(ExtractInput))]
[JsonSerializable(typeof(ExtractOutput))]
[JsonSerializable(typeof(TransformInput))]
[JsonSerializable(typeof(TransformOutput))]
[JsonSerializable(typeof(LoadInput))]
[JsonSerializable(typeof(LoadOutput))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
