using CryptoEtl.Core;

namespace CryptoEtl.Composition;

/// <summary>How Load puts a CSV into Snowflake (<see cref="SettingNames.LoadMode"/>; docs/snowflake.md, "Snowpipe load mode").</summary>
public enum LoadMode
{
    /// <summary>COPY on the warehouse, in one transaction that replaces the fetch_time's rows (the default).</summary>
    Copy,

    /// <summary>The auto-ingest pipe loads the CSV; Load confirms it through the Snowpipe REST API, with no warehouse.</summary>
    Pipe,
}
