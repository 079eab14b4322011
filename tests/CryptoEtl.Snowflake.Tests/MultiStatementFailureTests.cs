namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Snowflake's wrapper error for a failed statement of a multi-statement request, read from
/// messages recorded from real accounts: aidanmelen/terraform-provider-snowsql#92 and
/// airbytehq/PyAirbyte#188 (both "100132 (P0000): JavaScript execution error: ...").
/// </summary>
public sealed class MultiStatementFailureTests
{
    // aidanmelen/terraform-provider-snowsql#92, as the issue quotes it.
    private const string GrantFailure =
        "JavaScript execution error: Uncaught Execution of multiple statements failed on statement \"GRANT INSERT ON FUTURE TABLES ...\" (at line 2, position 0).\n"
        + "SQL access control error:\nInsufficient privileges to operate on schema 'TEST' in SYSTEM$MULTISTMT at '    throw `Execution of multiple statements failed on statement {0} (at line {1}, position {2}).`.replace('{1}', LINES[i])' position 4\n"
        + "stackstrace:\nSYSTEM$MULTISTMT line: 10";

    // airbytehq/PyAirbyte#188, as the pull request quotes it.
    private const string PutFailure =
        "JavaScript execution error: Uncaught Execution of multiple statements failed on \nstatement \"PUT 'file:///Users/sebastienha...\" (at line 1, position 0).\n"
        + "Stored procedure execution error: Unsupported statement type 'PUT_FILES'. in SYSTEM$MULTISTMT at '    throw `Execution of multiple statements failed on statement \n{0} (at line {1}, position {2}).`.replace('{1}', LINES[i])' position 4\n"
        + "stackstrace: \nSYSTEM$MULTISTMT line: 10";

    [Fact]
    public void The_recorded_wrapper_names_the_statement_its_line_and_the_inner_error()
    {
        var failure = MultiStatementFailure.TryParse("100132", GrantFailure);

        Assert.NotNull(failure);
        Assert.Equal("GRANT INSERT ON FUTURE TABLES ", failure.StatementStart);
        Assert.Equal(2, failure.Line);
        Assert.Equal(0, failure.Position);
        Assert.Equal("SQL access control error:\nInsufficient privileges to operate on schema 'TEST'", failure.InnerMessage);
        Assert.Equal(1, failure.IndexIn(["GRANT INSERT ON ALL TABLES IN SCHEMA DATABASE.TEST TO ROLE USER_ROLE", "GRANT INSERT ON FUTURE TABLES IN SCHEMA DATABASE.TEST  TO ROLE USER_ROLE"]));
    }

    [Fact]
    public void A_wrapper_quoted_with_a_line_break_in_its_first_sentence_still_reads()
    {
        // The pull request wraps the line after "failed on"; the pattern keys on what follows.
        var failure = MultiStatementFailure.TryParse("100132", PutFailure.Replace("failed on \nstatement", "failed on statement", StringComparison.Ordinal));

        Assert.NotNull(failure);
        Assert.Equal("PUT 'file:///Users/sebastienha", failure.StatementStart);
        Assert.Equal(1, failure.Line);
        Assert.Equal("Stored procedure execution error: Unsupported statement type 'PUT_FILES'.", failure.InnerMessage);
    }

    [Theory]
    [InlineData("002003", GrantFailure)]
    [InlineData("100132", "Numeric value 'abc' is not recognized")]
    [InlineData("100132", null)]
    public void Other_errors_are_not_the_wrapper(string code, string? message) =>
        Assert.Null(MultiStatementFailure.TryParse(code, message));

    [Fact]
    public void A_statement_is_found_by_its_line_and_start_and_nothing_else_matches()
    {
        var failure = new MultiStatementFailure("SELECT 1", 2, 0, "x");
        Assert.Equal(1, failure.IndexIn(["SELECT 1", "SELECT 1", "SELECT 2"]));
        Assert.Equal(-1, failure.IndexIn(["SELECT 1", "SELECT 2"]));
        Assert.Equal(-1, new MultiStatementFailure("SELECT 1", 9, 0, "x").IndexIn(["SELECT 1"]));
    }
}
