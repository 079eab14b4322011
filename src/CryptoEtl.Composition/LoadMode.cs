using CryptoEtl.Core;

namespace CryptoEtl.Composition;

/// <summary>
/// How Load puts a CSV into Snowflake (<see cref="SettingNames.LoadMode"/>, the CLI's --load; docs/snowflake.md,
/// "Snowpipe load mode"). `cryptoetl plan` prices the same two.
/// </summary>
public enum LoadMode
{
    /// <summary>COPY on the warehouse, in one transaction that replaces the fetch_time's rows (the default).</summary>
    Copy,

    /// <summary>The auto-ingest pipe loads the CSV; Load confirms it through the Snowpipe REST API, with no warehouse.</summary>
    Pipe,
}

/// <summary>The one reading of a load mode's text, for the setting and for `plan --load`.</summary>
public static class LoadModeSetting
{
    /// <summary>copy (also unset or blank) or pipe, in any case; anything else is a Configuration error naming the setting.</summary>
    public static LoadMode Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "COPY" => LoadMode.Copy,
        "PIPE" => LoadMode.Pipe,
        var other => throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.LoadMode} must be copy or pipe, got \"{other.ToLowerInvariant()}\""),
    };
}
