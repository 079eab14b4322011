using System.Text.RegularExpressions;

namespace CryptoEtl.DuckDb;

/// <summary>
/// The trend views over the snapshot history. Their SQL is infra/snowflake/08_trends.sql, embedded
/// in this assembly and run as it is; the one dialect difference, Snowflake's qualified names, is
/// taken out in <see cref="DuckDbName"/>. So every view there is written in SQL both DuckDB and
/// Snowflake accept: INTERVAL literals in minutes, CASE, QUALIFY, MAX_BY, no ASOF JOIN (their
/// syntaxes differ) and no correlated joins (Snowflake refuses them). Every connection runs in UTC
/// (<see cref="DuckDbWarehouse.OpenAsync"/>), and the views use no calendar unit, so they give the
/// same answer in any time zone.
/// </summary>
public static partial class TrendViews
{
    public const string SnapshotRows = "v_snapshot_rows";
    public const string CoinHistory = "v_coin_history";
    public const string CoinChanges = "v_coin_changes";
    public const string Movers = "v_movers";
    public const string MarketTrend = "v_market_trend";

    /// <summary>One row per snapshot (fetch_time, vs_currency): the snapshot list the change views pair up (05_views.sql on Snowflake).</summary>
    public const string MarketTimeseries = "v_market_timeseries";

    /// <summary>
    /// v_snapshot_rows, which every view reads: every row of the table, as 05_views.sql's in COPY
    /// mode. A DuckDB load replaces its fetch_time's rows in one transaction and Transform keeps one
    /// row per id, so the table holds one row per key already (Snowpipe mode's de-duplicating body,
    /// 09_snowpipe.sql, would stand between every query and the table's zone maps: a year of
    /// history, 20 s per query instead of milliseconds).
    /// </summary>
    public const string SnapshotRowsBody = "SELECT * FROM crypto_data";

    private const string ScriptResource = "08_trends.sql";

    /// <summary>Views in creation order (each reads only those before it), as (name, body after AS).</summary>
    public static IReadOnlyList<(string Name, string Body)> Views { get; } =
    [
        (SnapshotRows, SnapshotRowsBody),
        .. ViewStatement().Matches(Script()).Select(m => (DuckDbName(m.Groups["name"].Value), DuckDbName(m.Groups["body"].Value))),
    ];

    /// <summary>The DuckDB statements that create the views.</summary>
    public static IReadOnlyList<string> CreateViews { get; } =
        [.. Views.Select(v => $"CREATE OR REPLACE VIEW {v.Name} AS\n{v.Body}")];

    /// <summary>Snowflake's names in DuckDB: unqualified (one schema), lower case as DuckDB's own are.</summary>
    private static string DuckDbName(string sql) =>
        QualifiedName().Replace(sql, m => m.Groups["name"].Value.ToLowerInvariant());

    private static string Script()
    {
        using var stream = typeof(TrendViews).Assembly.GetManifestResourceStream(ScriptResource)
            ?? throw new InvalidOperationException($"{ScriptResource} is not embedded in {typeof(TrendViews).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"CREATE OR REPLACE VIEW CRYPTO_ETL_DB\.PUBLIC\.(?<name>\w+)\n.*?\nAS\n(?<body>.*?);", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ViewStatement();

    [GeneratedRegex(@"CRYPTO_ETL_DB\.PUBLIC\.(?<name>\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedName();
}
