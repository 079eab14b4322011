using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.DuckDb;
using DuckDB.NET.Data;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>`cryptoetl query "SQL"`: SQL over the local warehouse, as a table, CSV or JSON.</summary>
public static class QueryCommand
{
    public static Command Create(CliConsole console)
    {
        var dataDir = new PipelineOptions().DataDir;
        var sql = new Argument<string>("sql") { Description = "The SQL to run, e.g. \"SELECT count(*) FROM crypto_data\"" };
        var format = new Option<string>("--format")
        {
            Description = "table, csv or json",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("query", "Run SQL on the local DuckDB warehouse") { dataDir, format, sql };
        command.SetAction(async (parsed, ct) =>
        {
            var settings = new PipelineSettings { DataDir = PipelineOptions.CheckDataDir(parsed.GetValue(dataDir)!) };
            if (!File.Exists(settings.DatabasePath))
            {
                // A mistyped --data-dir must not quietly query a new, empty warehouse.
                throw new PipelineException(ErrorNames.InvalidInput, $"no warehouse at {Path.GetFullPath(settings.DatabasePath)}; `cryptoetl run` creates it");
            }

            QueryResult result;
            try
            {
                result = await DuckDbQuery.RunAsync(settings.DatabasePath, parsed.GetValue(sql)!, ct);
            }
            catch (DuckDBException ex)
            {
                throw new PipelineException(ErrorNames.InvalidInput, $"the query failed: {ex.Message}", ex);
            }

            switch (parsed.GetValue(format))
            {
                case "csv":
                    await console.Out.WriteAsync(ToCsv(result));
                    break;
                case "json":
                    await console.Out.WriteLineAsync(ToJson(result));
                    break;
                default:
                    var table = new Table();
                    foreach (var column in result.Columns)
                    {
                        table.AddColumn(Markup.Escape(column));
                    }

                    foreach (var row in result.Rows)
                    {
                        table.AddRow(row.Select(v => Markup.Escape(Format(v) ?? "NULL")).ToArray());
                    }

                    console.Display.Write(table);
                    break;
            }

            return 0;
        });
        return command;
    }

    /// <summary>A value as text: invariant culture, doubles in round-trip form, times in ISO 8601.</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string ToCsv(QueryResult result)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', result.Columns.Select(Quote)).Append('\n');
        foreach (var row in result.Rows)
        {
            text.AppendJoin(',', row.Select(v => Quote(Format(v) ?? ""))).Append('\n');
        }

        return text.ToString();

        static string Quote(string field) =>
            field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }

    private static string ToJson(QueryResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(result.Columns[i]);
                    switch (row[i])
                    {
                        case null:
                            json.WriteNullValue();
                            break;
                        case double d when double.IsFinite(d):
                            json.WriteNumberValue(d);
                            break;
                        case long l:
                            json.WriteNumberValue(l);
                            break;
                        case int n:
                            json.WriteNumberValue(n);
                            break;
                        case bool b:
                            json.WriteBooleanValue(b);
                            break;
                        default:
                            json.WriteStringValue(Format(row[i]));
                            break;
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
