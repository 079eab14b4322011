using System.Globalization;

namespace CryptoEtl.Snowflake;

/// <summary>A positional bind value: Snowflake's type name (TEXT, FIXED, REAL, BOOLEAN, ...) and its text.</summary>
public sealed record SqlBinding(string Type, string? Value)
{
    public static SqlBinding Text(string? value) => new("TEXT", value);

    public static SqlBinding Fixed(long value) => new("FIXED", value.ToString(CultureInfo.InvariantCulture));
}
