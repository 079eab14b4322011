using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// The fake's statement count must be Snowflake's: ';' separates statements only outside string
/// constants ('...', $$...$$; docs.snowflake.com/en/sql-reference/data-types-text), quoted
/// identifiers (docs.snowflake.com/en/sql-reference/identifiers-syntax) and comments (--, // and
/// /* */, all three accepted by Snowflake SQL).
/// </summary>
public sealed class SqlStatementsTests
{
    [Theory]
    [InlineData("SELECT 1", 1)]
    [InlineData("SELECT 1;", 1)]
    [InlineData("SELECT 1; SELECT 2", 2)]
    [InlineData("SELECT 'a;b'", 1)]
    [InlineData("SELECT 'it''s; fine'; SELECT 2", 2)]
    [InlineData("SELECT 'back\\'slash;'; SELECT 2", 2)]
    [InlineData("SELECT $$a;b$$", 1)]
    [InlineData("SELECT 1 AS \"a;b\"", 1)]
    [InlineData("SELECT 1 -- a; b\n; SELECT 2", 2)]
    [InlineData("SELECT 1 // a; b\n", 1)]
    [InlineData("SELECT /* a; b */ 1", 1)]
    [InlineData("SELECT 1;\n-- only a comment;\n", 1)]
    [InlineData(";;", 0)]
    public void Semicolons_in_literals_identifiers_and_comments_do_not_split(string text, int count) =>
        Assert.Equal(count, SqlStatements.Split(text).Count);

    [Fact]
    public void Each_statement_knows_the_line_and_position_where_it_starts()
    {
        var statements = SqlStatements.Split("BEGIN;\n  SELECT 1;\n/* c */ COMMIT");

        Assert.Equal([("BEGIN", 1, 0), ("SELECT 1", 2, 2), ("COMMIT", 3, 8)], statements.Select(s => (s.Text, s.Line, s.Position)));
    }
}
