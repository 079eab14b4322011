using System.Net;
using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>Reads the SQL API's answers: a finished statement's result, or its error as a <see cref="SnowflakeStatementException"/>.</summary>
internal static class SqlApiResponse
{
    public static JsonDocument? ParseOrNull(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            // A proxy's HTML error page, say: the status code still tells what happened.
            return null;
        }
    }

    /// <summary>The result of a 200; for any other status the error, thrown.</summary>
    public static SqlResult Finish(HttpStatusCode status, JsonDocument? document, string? handle)
    {
        var root = document?.RootElement;
        if (status == HttpStatusCode.OK && root is { ValueKind: JsonValueKind.Object } ok)
        {
            return ReadResult(ok);
        }

        var code = Text(root, "code");
        var sqlState = Text(root, "sqlState");
        var statementHandle = Text(root, "statementHandle") ?? handle;
        var message = Text(root, "message") ?? $"HTTP {(int)status} without a Snowflake message";
        // 408: Snowflake cancelled the statement at its timeout; a later run may well finish.
        var errorName = status == HttpStatusCode.RequestTimeout ? ErrorNames.WarehouseUnavailable : ErrorNames.WarehouseError;
        throw new SnowflakeStatementException(errorName,
            $"Snowflake returned HTTP {(int)status}: {message} (code {code ?? "none"}, sqlState {sqlState ?? "none"}, statementHandle {statementHandle ?? "none"})",
            code, sqlState, statementHandle, message)
        {
            FailedStatement = MultiStatementFailure.TryParse(code, message),
        };
    }

    public static string? Text(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;

    private static SqlResult ReadResult(JsonElement root)
    {
        var handle = Text(root, "statementHandle") ?? "";
        var handles = root.TryGetProperty("statementHandles", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(h => h.GetString() ?? "").ToArray()
            : [];
        var columns = new List<string>();
        if (root.TryGetProperty("resultSetMetaData", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            if (meta.TryGetProperty("partitionInfo", out var partitions) && partitions.ValueKind == JsonValueKind.Array && partitions.GetArrayLength() > 1)
            {
                throw new PipelineException(ErrorNames.WarehouseError,
                    $"Snowflake result of statement {handle} has {partitions.GetArrayLength()} partitions; this client reads small results only");
            }

            if (meta.TryGetProperty("rowType", out var rowType) && rowType.ValueKind == JsonValueKind.Array)
            {
                columns.AddRange(rowType.EnumerateArray().Select(c => Text(c, "name") ?? ""));
            }
        }

        var rows = new List<IReadOnlyList<string?>>();
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var row in data.EnumerateArray())
            {
                rows.Add(row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()).ToArray());
            }
        }

        return new SqlResult(handle, handles, columns, rows);
    }
}
