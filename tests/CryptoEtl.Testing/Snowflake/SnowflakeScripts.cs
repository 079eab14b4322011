using System.Text.RegularExpressions;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>The deploy-time SQL of infra/snowflake, as users run it, read from the repository.</summary>
public static partial class SnowflakeScripts
{
    public static string Read(string file) =>
        File.ReadAllText(RepoPaths.Path("infra", "snowflake", file)).ReplaceLineEndings("\n");

    /// <summary>
    /// The body (after AS, without its ';') of <paramref name="view"/> as <paramref name="file"/>
    /// creates it, its CRYPTO_ETL_DB.PUBLIC. names unqualified, so DuckDB runs it.
    /// </summary>
    public static string ViewBody(string file, string view)
    {
        var statement = ViewStatement().Matches(Read(file)).SingleOrDefault(m => m.Groups["name"].Value == view)
            ?? throw new InvalidOperationException($"{file} creates no view {view}");
        return statement.Groups["body"].Value.Replace("CRYPTO_ETL_DB.PUBLIC.", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"CREATE OR REPLACE VIEW CRYPTO_ETL_DB\.PUBLIC\.(?<name>\w+)\n.*?\nAS\n(?<body>.*?);", RegexOptions.Singleline)]
    private static partial Regex ViewStatement();
}
