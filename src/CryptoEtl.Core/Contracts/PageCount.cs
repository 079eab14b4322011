using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CryptoEtl.Core;

/// <summary>How many pages of /coins/markets a run asks for: a number, or all of them.</summary>
public readonly record struct PageCount
{
    /// <summary>
    /// The pages a run asks for when it names none. statemachine/crypto_etl.asl.json's Defaults
    /// state writes the same number (JSON cannot reference C#); CryptoEtlAslTests'
    /// An_empty_input_means_the_defaults holds the two equal.
    /// </summary>
    public const int DefaultPages = 2;

    private PageCount(int? pages) => Limit = pages;

    /// <summary>The page limit, or null for "all" (until an empty page ends the market).</summary>
    public int? Limit { get; }

    public bool IsAll => Limit is null;

    public static PageCount All => new(null);

    public static PageCount Default => new(DefaultPages);

    public static PageCount Of(int pages) => pages >= 1
        ? new PageCount(pages)
        : throw new PipelineException(ErrorNames.InvalidInput, $"pages must be at least 1 or \"all\", got {pages}");

    public static PageCount Parse(string text) =>
        string.Equals(text, "all", StringComparison.OrdinalIgnoreCase) ? All
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Of(n)
        : throw new PipelineException(ErrorNames.InvalidInput, $"pages must be a whole number or \"all\", got \"{text}\"");

    public override string ToString() => Limit?.ToString(CultureInfo.InvariantCulture) ?? "all";
}

/// <summary>Reads pages as 5, "5" or "all"; writes a number or "all".</summary>
public sealed class PageCountJsonConverter : JsonConverter<PageCount>
{
    public override PageCount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var n) => PageCount.Of(n),
            JsonTokenType.String => PageCount.Parse(reader.GetString()!),
            _ => throw new PipelineException(ErrorNames.InvalidInput, "pages must be a whole number or \"all\""),
        };

    public override void Write(Utf8JsonWriter writer, PageCount value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Limit is { } n)
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue("all");
        }
    }
}
