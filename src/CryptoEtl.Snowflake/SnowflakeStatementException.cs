using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>A statement Snowflake ran and rejected, with Snowflake's own code, SQL state and message.</summary>
public sealed class SnowflakeStatementException : PipelineException
{
    public SnowflakeStatementException(string errorName, string message, string? code, string? sqlState, string? statementHandle, string snowflakeMessage)
        : base(errorName, message)
    {
        Code = code;
        SqlState = sqlState;
        StatementHandle = statementHandle;
        SnowflakeMessage = snowflakeMessage;
    }

    public SnowflakeStatementException()
    {
        SnowflakeMessage = "";
    }

    public SnowflakeStatementException(string message)
        : base(message)
    {
        SnowflakeMessage = message;
    }

    public SnowflakeStatementException(string message, Exception innerException)
        : base(message, innerException)
    {
        SnowflakeMessage = message;
    }

    public string? Code { get; }

    public string? SqlState { get; }

    public string? StatementHandle { get; }

    public string SnowflakeMessage { get; }

    /// <summary>For Snowflake's multi-statement wrapper error (code 100132): the statement that failed and its own message.</summary>
    public MultiStatementFailure? FailedStatement { get; init; }
}
