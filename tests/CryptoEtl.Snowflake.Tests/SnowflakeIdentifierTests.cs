using CryptoEtl.Core;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Snowflake's identifier rules (docs.snowflake.com/en/sql-reference/identifiers-syntax): an
/// unquoted identifier is stored in upper case, a double-quoted one exactly as written. The SQL
/// API's body fields must carry the stored name (docs.snowflake.com/en/developer-guide/sql-api/submitting-requests:
/// "case-sensitive and must match the case of the field returned by a SQL SHOW command").
/// </summary>
public sealed class SnowflakeIdentifierTests
{
    [Theory]
    [InlineData("crypto_etl_wh", "CRYPTO_ETL_WH", "CRYPTO_ETL_WH")]
    [InlineData("Crypto_Etl_Db", "CRYPTO_ETL_DB", "CRYPTO_ETL_DB")]
    [InlineData("_x$1", "_X$1", "_X$1")]
    [InlineData("\"crypto_etl_wh\"", "crypto_etl_wh", "\"crypto_etl_wh\"")]
    [InlineData("\"My Warehouse\"", "My Warehouse", "\"My Warehouse\"")]
    [InlineData("\"say \"\"hi\"\"\"", "say \"hi\"", "\"say \"\"hi\"\"\"")]
    public void Unquoted_names_are_upper_case_and_quoted_names_stay_as_written(string setting, string name, string sql)
    {
        var identifier = SnowflakeIdentifier.Parse(setting, "Warehouse");
        Assert.Equal(name, identifier.Name);
        Assert.Equal(sql, identifier.Sql);
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("my wh")]
    [InlineData("wh;drop")]
    [InlineData("\"unterminated")]
    [InlineData("\"a\"b\"")]
    [InlineData("\"\"")]
    public void Anything_else_is_a_configuration_error_naming_the_setting(string setting)
    {
        var ex = Assert.Throws<PipelineException>(() => SnowflakeIdentifier.Parse(setting, "Warehouse"));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("Warehouse", ex.Message, StringComparison.Ordinal);
    }
}
