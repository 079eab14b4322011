using System.Buffers;
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

            var output = parsed.GetValue(format) switch
            {
                "csv" => (RowWriter)new CsvRows(console.Out),
                "json" => new JsonRows(console.Out),
                _ => new TableRows(console.Display),
            };
            try
            {
                await using var connection = await DuckDbWarehouse.OpenReadOnlyAsync(settings.DatabasePath, ct);
                await LimitMemoryAsync(connection, ct);
                await DuckDbQuery.StreamAsync(connection, parsed.GetValue(sql)!, output.Row, ct, output.Begin);
            }
            catch (DuckDBException ex)
            {
                // Rows streamed before a failure are already out; the error line says the rest is missing.
                throw new PipelineException(ErrorNames.InvalidInput, $"the query failed: {ex.Message}", ex);
            }

            output.End();

            return 0;
        });
        return command;
    }

    /// <summary>DuckDB's working memory for one query; beyond it, it spills to disk.</summary>
    public const string MemoryLimit = "1GB";

    /// <summary>
    /// Streaming the rows keeps our side flat, but DuckDB's own joins and aggregates would take up
    /// to 80 % of the machine's memory (8.5 GB for a year of v_coin_changes): capped, they spill to
    /// a temporary folder of their own (not next to the database, which may be on a read-only mount).
    /// </summary>
    private static async Task LimitMemoryAsync(System.Data.Common.DbConnection connection, CancellationToken ct)
    {
        var spill = Path.Combine(Path.GetTempPath(), "cryptoetl-query-spill");
        foreach (var setting in new[] { $"SET memory_limit = '{MemoryLimit}'", $"SET temp_directory = '{spill.Replace("'", "''", StringComparison.Ordinal)}'" })
        {
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Our own settings.
            command.CommandText = setting;
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync(ct);
        }
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

    /// <summary>
    /// Rows written as DuckDB streams them, in 64 KB pieces: memory stays flat however many rows a
    /// query returns (a year of v_coin_changes is 17.5 million), and nothing waits for the last row.
    /// </summary>
    private abstract class RowWriter(TextWriter output)
    {
        private readonly StringBuilder _buffer = new();

        public abstract void Begin(IReadOnlyList<string> columns);

        public abstract void Row(object?[] values);

        public virtual void End() => Flush();

        protected StringBuilder Buffer => _buffer;

        protected void FlushWhenFull()
        {
            if (_buffer.Length >= 64 * 1024)
            {
                Flush();
            }
        }

        private void Flush()
        {
            output.Write(_buffer.ToString());
            _buffer.Clear();
        }
    }

    private sealed class CsvRows(TextWriter output) : RowWriter(output)
    {
        public override void Begin(IReadOnlyList<string> columns) => Buffer.AppendJoin(',', columns.Select(Quote)).Append('\n');

        public override void Row(object?[] values)
        {
            Buffer.AppendJoin(',', values.Select(v => Quote(Format(v) ?? ""))).Append('\n');
            FlushWhenFull();
        }

        private static string Quote(string field) =>
            field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }

    /// <summary>A JSON array, one object per line.</summary>
    private sealed class JsonRows(TextWriter output) : RowWriter(output)
    {
        private readonly ArrayBufferWriter<byte> _json = new();
        private IReadOnlyList<string> _columns = [];
        private bool _first = true;

        public override void Begin(IReadOnlyList<string> columns)
        {
            _columns = columns;
            Buffer.Append('[');
        }

        public override void Row(object?[] values)
        {
            _json.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(_json))
            {
                json.WriteStartObject();
                for (var i = 0; i < values.Length; i++)
                {
                    json.WritePropertyName(_columns[i]);
                    switch (values[i])
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
                            json.WriteStringValue(Format(values[i]));
                            break;
                    }
                }

                json.WriteEndObject();
            }

            Buffer.Append(_first ? "\n" : ",\n").Append(Encoding.UTF8.GetString(_json.WrittenSpan));
            _first = false;
            FlushWhenFull();
        }

        public override void End()
        {
            Buffer.Append(_first ? "]\n" : "\n]\n");
            base.End();
        }
    }

    /// <summary>A table per <see cref="RowsPerTable"/> rows: a table needs its rows to size its columns.</summary>
    private sealed class TableRows(IAnsiConsole display) : RowWriter(TextWriter.Null)
    {
        private const int RowsPerTable = 1000;
        private IReadOnlyList<string> _columns = [];
        private Table? _table;

        public override void Begin(IReadOnlyList<string> columns)
        {
            _columns = columns;
            _table = NewTable();
        }

        public override void Row(object?[] values)
        {
            _table ??= NewTable();
            _table.AddRow(values.Select(v => Markup.Escape(Format(v) ?? "NULL")).ToArray());
            if (_table.Rows.Count == RowsPerTable)
            {
                display.Write(_table);
                _table = null;
            }
        }

        public override void End()
        {
            if (_table is not null)
            {
                display.Write(_table);
            }
        }

        private Table NewTable()
        {
            var table = new Table();
            foreach (var column in _columns)
            {
                table.AddColumn(Markup.Escape(column));
            }

            return table;
        }
    }
}
