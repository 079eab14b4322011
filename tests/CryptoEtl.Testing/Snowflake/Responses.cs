using CryptoEtl.Snowflake;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>Response bodies shaped like the examples of the SQL API reference (docs.snowflake.com/en/developer-guide/sql-api/reference).</summary>
public static class Responses
{
    public const string LoadHandle = "01b8d0c2-0000-4e1a-0000-0000000000aa";

    public static string[] Handles { get; } = [.. Enumerable.Range(1, 8).Select(i => $"01b8d0c2-0000-4e1a-0000-00000000000{i}")];

    public static string CopyHandle => Handles[SnowflakeSql.CopyStatementIndex];

    /// <summary>A snapshot's load has 7 statements (SnowflakeSql.LoadStatements), a backfill's 8.</summary>
    public static (int, string) MultiStatementDone(int statements = 7) => (200, $$"""
        {
          "resultSetMetaData": {"numRows": 1, "format": "jsonv2",
            "rowType": [{"name": "multiple statement execution", "type": "text", "nullable": false}]},
          "data": [["Multiple statements executed successfully."]],
          "code": "090001",
          "statementHandles": [{{string.Join(", ", Handles.Take(statements).Select(h => $"\"{h}\""))}}],
          "statementStatusUrl": "/api/v2/statements/{{LoadHandle}}",
          "sqlState": "00000",
          "statementHandle": "{{LoadHandle}}",
          "message": "Statement executed successfully.",
          "createdOn": 1764072000000
        }
        """);

    /// <summary>An UPDATE's result (docs.snowflake.com/en/sql-reference/sql/update, "Output").</summary>
    public static (int, string) UpdateResult(string handle, long rowsUpdated) => (200, $$"""
        {
          "resultSetMetaData": {"numRows": 1, "format": "jsonv2",
            "rowType": [{"name": "number of rows updated", "type": "fixed"}, {"name": "number of multi-joined rows updated", "type": "fixed"}]},
          "data": [["{{rowsUpdated}}", "0"]],
          "code": "090001", "statementStatusUrl": "/api/v2/statements/{{handle}}", "sqlState": "00000",
          "statementHandle": "{{handle}}", "message": "Statement executed successfully.", "createdOn": 1764072000000
        }
        """);

    public static (int, string) Running(string handle) => (202, $$"""
        {"code": "333334", "message": "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
         "statementHandle": "{{handle}}", "statementStatusUrl": "/api/v2/statements/{{handle}}"}
        """);

    public static (int, string) CopyResult(long rowsLoaded, long errorsSeen, long rowsParsed) => (200, $$"""
        {
          "resultSetMetaData": {"numRows": 1, "format": "jsonv2", "partitionInfo": [{"rowCount": 1, "uncompressedSize": 200}],
            "rowType": [
              {"name": "file", "type": "text"}, {"name": "status", "type": "text"},
              {"name": "rows_parsed", "type": "fixed"}, {"name": "rows_loaded", "type": "fixed"},
              {"name": "error_limit", "type": "fixed"}, {"name": "errors_seen", "type": "fixed"},
              {"name": "first_error", "type": "text"}, {"name": "first_error_line", "type": "fixed"},
              {"name": "first_error_character", "type": "fixed"}, {"name": "first_error_column_name", "type": "text"}]},
          "data": [["s3://bucket/processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.csv", "LOADED",
                    "{{rowsParsed}}", "{{rowsLoaded}}", "1", "{{errorsSeen}}", null, null, null, null]],
          "code": "090001", "statementStatusUrl": "/api/v2/statements/{{CopyHandle}}", "sqlState": "00000",
          "statementHandle": "{{CopyHandle}}", "message": "Statement executed successfully.", "createdOn": 1764072000000
        }
        """);

    public static (int, string) Failure(string code, string sqlState, string message) => (422, $$"""
        {"code": "{{code}}", "sqlState": "{{sqlState}}", "message": {{System.Text.Json.JsonSerializer.Serialize(message)}},
         "statementHandle": "{{LoadHandle}}", "statementStatusUrl": "/api/v2/statements/{{LoadHandle}}", "createdOn": 1764072000000}
        """);

    /// <summary>
    /// Snowflake's answer to a multi-statement request whose statement (starting at line, position)
    /// failed: its SYSTEM$MULTISTMT wrapper error, worded as recorded in
    /// aidanmelen/terraform-provider-snowsql#92 and airbytehq/PyAirbyte#188 (the statement's first
    /// 30 characters, then "...").
    /// </summary>
    public static (int, string) MultiStatementFailure(string statement, int line, int position, string innerMessage)
    {
        var start = statement.Length > 30 ? statement[..30] + "..." : statement;
        var message = $"JavaScript execution error: Uncaught Execution of multiple statements failed on statement \"{start}\" (at line {line}, position {position}).\n"
            + $"{innerMessage} in SYSTEM$MULTISTMT at '    throw `Execution of multiple statements failed on statement {{0}} (at line {{1}}, position {{2}}).`.replace('{{1}}', LINES[i])' position 4\n"
            + "stackstrace: \nSYSTEM$MULTISTMT line: 10";
        return Failure("100132", "P0000", message);
    }

    /// <summary>A request Snowflake refuses before running it (422 without a statement handle).</summary>
    public static string Refusal(string code, string message) =>
        $$"""{"code": "{{code}}", "message": {{System.Text.Json.JsonSerializer.Serialize(message)}}}""";

    /// <summary>429, as the SQL API answers a submit or a status request when rate limited.</summary>
    public static (int, string) RateLimited() => (429, """{"message":"Too many requests"}""");

    /// <summary>A finished single-statement query: these columns, these rows, every value a string as in jsonv2.</summary>
    public static (int, string) Query(string[] columns, params string?[][] rows) => (200, $$"""
        {"resultSetMetaData": {"numRows": {{rows.Length}}, "format": "jsonv2",
           "rowType": {{System.Text.Json.JsonSerializer.Serialize(columns.Select(c => new Dictionary<string, string> { ["name"] = c, ["type"] = "text" }))}}},
         "data": {{System.Text.Json.JsonSerializer.Serialize(rows)}}, "code": "090001", "sqlState": "00000",
         "statementHandle": "01b8d0c2-0000-4e1a-0000-0000000000dd", "message": "Statement executed successfully."}
        """);

    public static (int, string) Count(long rows) => (200, $$"""
        {"resultSetMetaData": {"numRows": 1, "format": "jsonv2", "rowType": [{"name": "ROW_COUNT", "type": "fixed"}]},
         "data": [["{{rows}}"]], "code": "090001", "sqlState": "00000", "statementHandle": "01b8d0c2-0000-4e1a-0000-0000000000cc",
         "message": "Statement executed successfully."}
        """);
}
