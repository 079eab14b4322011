using System.Text.RegularExpressions;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Snowflake.Tests;

public sealed partial class SchemaScriptTests
{
    private static string Script(string name) => File.ReadAllText(TestData.Path("..", "infra", "snowflake", name));

    [Fact]
    public void Table_script_columns_equal_crypto_schema_names_order_and_types()
    {
        var script = Script("02_table.sql");
        var body = TableBody().Match(script);
        Assert.True(body.Success, "02_table.sql has no CREATE TABLE ... CRYPTO_DATA ( ... )");

        var columns = body.Groups["body"].Value.Split('\n')
            .Select(line => line.Trim().TrimEnd(','))
            .Where(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal) && !line.StartsWith("CONSTRAINT", StringComparison.Ordinal))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(parts => (Name: parts[0], Type: parts[1]))
            .ToArray();

        Assert.Equal(
            CryptoSchema.Columns.Select(c => (c.UpperName, SnowflakeSql.TypeOf(c.Type))).ToArray(),
            columns);
    }

    [Fact]
    public void Scripts_name_the_objects_the_adapter_defaults_to()
    {
        var all = string.Join('\n', Directory.GetFiles(TestData.Path("..", "infra", "snowflake"), "*.sql").Order().Select(File.ReadAllText));

        Assert.Contains($"CREATE TABLE IF NOT EXISTS {CryptoSchema.SnowflakeTable} (", all, StringComparison.Ordinal);
        Assert.Contains($"FILE FORMAT {SnowflakeOptions.DefaultDatabase}.{SnowflakeOptions.DefaultSchema}.{SnowflakeOptions.DefaultFileFormat}", all, StringComparison.Ordinal);
        Assert.Contains($"STAGE IF NOT EXISTS {SnowflakeOptions.DefaultDatabase}.{SnowflakeOptions.DefaultSchema}.{SnowflakeOptions.DefaultStage}", all, StringComparison.Ordinal);
        Assert.Contains("VIEW CRYPTO_ETL_DB.PUBLIC.V_LATEST_SNAPSHOT", all, StringComparison.Ordinal);
        Assert.Contains("VIEW CRYPTO_ETL_DB.PUBLIC.V_MARKET_TIMESERIES", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Scripts_are_numbered_in_run_order()
    {
        var names = Directory.GetFiles(TestData.Path("..", "infra", "snowflake"), "*.sql").Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["01_database_schema.sql", "02_table.sql", "03_file_format.sql", "04_storage_integration_stage.sql", "05_views.sql", "06_data_quality.sql", "07_roles_users_grants.sql", "08_trends.sql", "09_snowpipe.sql"],
            names);
    }

    [Fact]
    public void Pipe_copies_the_schema_columns_and_load_metadata_with_the_adapter_file_format()
    {
        var pipe = PipeCopy().Match(Script("09_snowpipe.sql"));
        Assert.True(pipe.Success, "09_snowpipe.sql has no CREATE PIPE ... AUTO_INGEST = TRUE ... AS COPY ...;");

        var expected = SnowpipeSql.Copy(CryptoSchema.SnowflakeTable, $"CRYPTO_ETL_DB.PUBLIC.{SnowflakeOptions.DefaultStage}", $"CRYPTO_ETL_DB.PUBLIC.{SnowflakeOptions.DefaultFileFormat}");
        Assert.Equal(Normalize(expected), Normalize(pipe.Groups["copy"].Value));
    }

    /// <summary>
    /// CREATE PIPE's usage notes list the COPY options a pipe does not support
    /// (docs.snowflake.com/en/sql-reference/sql/create-pipe, "Usage notes": FILES, ON_ERROR =
    /// ABORT_STATEMENT, SIZE_LIMIT, PURGE, FORCE, RETURN_FAILED_ONLY, VALIDATION_MODE,
    /// LOAD_UNCERTAIN_FILES); the pipe's COPY, in the script and in the code, holds none of them.
    /// </summary>
    [Theory]
    [InlineData("FILES")]
    [InlineData("ON_ERROR = ABORT_STATEMENT")]
    [InlineData("SIZE_LIMIT")]
    [InlineData("PURGE")]
    [InlineData("FORCE")]
    [InlineData("RETURN_FAILED_ONLY")]
    [InlineData("VALIDATION_MODE")]
    [InlineData("LOAD_UNCERTAIN_FILES")]
    public void Pipe_copy_holds_no_option_create_pipe_forbids(string option)
    {
        var copy = SnowpipeSql.Copy(CryptoSchema.SnowflakeTable, $"CRYPTO_ETL_DB.PUBLIC.{SnowflakeOptions.DefaultStage}", $"CRYPTO_ETL_DB.PUBLIC.{SnowflakeOptions.DefaultFileFormat}");
        var script = PipeCopy().Match(Script("09_snowpipe.sql")).Groups["copy"].Value;

        foreach (var text in new[] { copy, script })
        {
            // As a word, outside the SELECT list (METADATA$FILENAME is not the FILES option).
            var options = Normalize(text)[Normalize(text).LastIndexOf(" FROM @", StringComparison.Ordinal)..];
            Assert.DoesNotMatch($@"(^|[\s)]){Regex.Escape(option)}(\s|=|$)", options);
        }

        Assert.Contains("ON_ERROR = SKIP_FILE", copy, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_metadata_columns_are_added_before_the_trend_views_read_them()
    {
        var table = Script("02_table.sql");

        Assert.Contains($"ADD COLUMN IF NOT EXISTS {SnowpipeSql.SourceFileColumn} VARCHAR;", table, StringComparison.Ordinal);
        Assert.Contains($"ADD COLUMN IF NOT EXISTS {SnowpipeSql.LoadedAtColumn} TIMESTAMP_LTZ;", table, StringComparison.Ordinal);
    }

    // Whitespace differs where the script wraps lines; "( " and " )" are where it breaks a list.
    private static string Normalize(string sql) =>
        Whitespace().Replace(sql, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();

    [GeneratedRegex(@"CREATE PIPE IF NOT EXISTS CRYPTO_ETL_DB\.PUBLIC\.CRYPTO_PROCESSED_PIPE\s+AUTO_INGEST = TRUE\s+COMMENT = '[^']*'\s+AS\s+(?<copy>COPY INTO .*?);", RegexOptions.Singleline)]
    private static partial Regex PipeCopy();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"CREATE TABLE IF NOT EXISTS CRYPTO_ETL_DB\.PUBLIC\.CRYPTO_DATA \((?<body>.*?)\n\)", RegexOptions.Singleline)]
    private static partial Regex TableBody();
}
