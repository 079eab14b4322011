using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CryptoEtl.Core;
using CryptoEtl.Snowflake;

namespace CryptoEtl.Testing.Snowflake;

/// <summary>A value Snowflake would not load: its error text as Snowflake words it.</summary>
public sealed class SnowflakeCopyException(string message) : Exception(message);

/// <summary>
/// What Snowflake does with our COPY's SELECT over a staged CSV, by its documented rules, so a
/// test sees what a real account would load or refuse:
/// - the file (infra/snowflake/03_file_format.sql, <see cref="CsvFileFormat"/>): header skipped,
///   fields optionally in double quotes (a doubled quote inside is one), an unquoted empty field
///   NULL, nothing trimmed (docs.snowflake.com/en/sql-reference/sql/create-file-format, "Format
///   type options"); a field a row lacks is NULL, as a COPY with a SELECT ignores
///   ERROR_ON_COLUMN_COUNT_MISMATCH (docs.snowflake.com/en/user-guide/data-load-transform);
/// - each select item: $n as the file format reads it, or TO_TIMESTAMP_TZ(expr, 'format') with
///   its format applied by <see cref="SnowflakeTimestampFormat"/>; CONCAT(a, b) joins text;
/// - the value then converted to the table's column type (FLOAT, NUMBER(38,0), VARCHAR,
///   TIMESTAMP_TZ; SnowflakeSql.TypeOf of CryptoSchema) as docs.snowflake.com/en/sql-reference/data-type-conversion
///   describes for VARCHAR sources: text in decimal or exponent notation to FLOAT (IEEE double,
///   nearest value), whole-number text to NUMBER(38,0), a timestamp column by the file format's
///   TIMESTAMP_FORMAT.
/// Anything it does not read (another function, an unknown element) throws NotSupportedException:
/// the fake never guesses in our favour. A value Snowflake refuses throws
/// <see cref="SnowflakeCopyException"/> with Snowflake's message ("Timestamp '...' is not
/// recognized", code 100035, as recorded in transferwise/pipelinewise#791).
/// </summary>
public static partial class SnowflakeCopy
{
    /// <summary>
    /// Rows as Snowflake would store them: double, decimal, string, DateTimeOffset or null per
    /// column; <paramref name="stagePath"/> is the staged file's path, as METADATA$FILENAME gives it.
    /// </summary>
    public static IReadOnlyList<object?[]> Evaluate(string copyStatement, byte[] csv, CsvFileFormat format, string stagePath = "")
    {
        ArgumentNullException.ThrowIfNull(copyStatement);
        ArgumentNullException.ThrowIfNull(format);
        var match = CopyPattern().Match(copyStatement);
        if (!match.Success)
        {
            throw new NotSupportedException($"not a COPY INTO table (columns) FROM (SELECT ... FROM @stage): {copyStatement}");
        }

        var columns = match.Groups["columns"].Value.Split(", ");
        var items = SplitTopLevel(match.Groups["select"].Value);
        if (items.Count != columns.Length)
        {
            throw new NotSupportedException($"{items.Count} select items for {columns.Length} columns");
        }

        var types = columns.Select(TypeOf).ToArray();
        var rows = new List<object?[]>();
        foreach (var fields in CsvFileFormat.Read(csv))
        {
            var row = new object?[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                row[i] = Convert(Expression(items[i], fields, stagePath), types[i], format);
            }

            rows.Add(row);
        }

        return rows;
    }

    // The schema's columns, the pipe's load-metadata columns (02_table.sql: VARCHAR, TIMESTAMP_LTZ) and BACKFILL_ID (VARCHAR).
    private static ColumnType TypeOf(string column) =>
        column is SnowpipeSql.SourceFileColumn or "BACKFILL_ID" ? ColumnType.Text
        : column == SnowpipeSql.LoadedAtColumn ? ColumnType.Timestamp
        : CryptoSchema.Columns.Single(s => s.UpperName == column).Type;

    /// <summary>What METADATA$START_SCAN_TIME gives in the fake: a fixed instant.</summary>
    public static DateTimeOffset StartScanTime { get; } = new(2026, 11, 25, 12, 1, 0, TimeSpan.Zero);

    private static object? Convert(object? value, ColumnType type, CsvFileFormat format)
    {
        if (value is null)
        {
            return null;
        }

        if (value is DateTimeOffset instant)
        {
            return type == ColumnType.Timestamp ? instant : throw new NotSupportedException("a timestamp into a non-timestamp column");
        }

        var text = (string)value;
        switch (type)
        {
            case ColumnType.Text:
                return text;
            case ColumnType.Timestamp:
                return SnowflakeTimestampFormat.Parse(text, format.TimestampFormat);
            case ColumnType.Number:
                if (!FloatText().IsMatch(text) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    throw new SnowflakeCopyException($"Numeric value '{text}' is not recognized");
                }

                return number;
            case ColumnType.WholeNumber:
                // Strict: only whole-number text (Snowflake would round a fraction; Transform never writes one).
                if (!WholeText().IsMatch(text) || !decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    throw new SnowflakeCopyException($"Numeric value '{text}' is not recognized");
                }

                return whole;
            default:
                throw new NotSupportedException(type.ToString());
        }
    }

    private static object? Expression(string item, IReadOnlyList<string?> fields, string stagePath)
    {
        item = item.Trim();
        if (FieldReference().Match(item) is { Success: true } field)
        {
            var n = int.Parse(field.Groups[1].Value, CultureInfo.InvariantCulture);
            return n <= fields.Count ? fields[n - 1] : null;
        }

        // The pipe's load metadata (docs.snowflake.com/en/user-guide/querying-metadata).
        if (item == "METADATA$FILENAME")
        {
            return stagePath;
        }

        if (item == "METADATA$START_SCAN_TIME")
        {
            return StartScanTime;
        }

        if (StringLiteral().Match(item) is { Success: true } literal)
        {
            return literal.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal);
        }

        var call = Call().Match(item);
        if (!call.Success)
        {
            throw new NotSupportedException($"select item {item}");
        }

        var arguments = SplitTopLevel(call.Groups["args"].Value).Select(a => Expression(a, fields, stagePath)).ToArray();
        switch (call.Groups["name"].Value.ToUpperInvariant())
        {
            case "TO_TIMESTAMP_TZ" when arguments.Length == 2 && arguments[1] is string timestampFormat:
                return arguments[0] is string text ? SnowflakeTimestampFormat.Parse(text, timestampFormat) : null;
            case "CONCAT":
                // CONCAT of a NULL is NULL (docs.snowflake.com/en/sql-reference/functions/concat).
                return arguments.Any(a => a is null) ? null : string.Concat(arguments.Cast<string>());
            default:
                throw new NotSupportedException($"function {call.Groups["name"].Value} with {arguments.Length} arguments");
        }
    }

    /// <summary>Splits on commas outside parentheses and quotes.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'':
                    quoted = !quoted;
                    break;
                case '(' when !quoted:
                    depth++;
                    break;
                case ')' when !quoted:
                    depth--;
                    break;
                case ',' when !quoted && depth == 0:
                    parts.Add(text[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }

    [GeneratedRegex(@"COPY INTO \S+ \((?<columns>[^)]*)\) FROM \(SELECT (?<select>.*) FROM @\S+\)", RegexOptions.Singleline)]
    private static partial Regex CopyPattern();

    [GeneratedRegex(@"^\$(\d+)$")]
    private static partial Regex FieldReference();

    [GeneratedRegex(@"^'((?:[^']|'')*)'$")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^(?<name>[A-Za-z_]+)\((?<args>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex Call();

    // Decimal or exponent notation, an optional sign; no spaces (TRIM_SPACE = FALSE), no hex.
    [GeneratedRegex(@"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")]
    private static partial Regex FloatText();

    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex WholeText();
}

/// <summary>
/// The CSV options of CRYPTO_CSV_FORMAT, read from infra/snowflake/03_file_format.sql itself; only
/// the options the fake implements are accepted, so a change there fails here first.
/// </summary>
public sealed partial record CsvFileFormat(string TimestampFormat)
{
    public static CsvFileFormat FromScript(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var options = OptionPattern().Matches(sql).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim(), StringComparer.Ordinal);
        var expected = new Dictionary<string, string>
        {
            ["TYPE"] = "CSV", ["FIELD_DELIMITER"] = "','", ["SKIP_HEADER"] = "1", ["FIELD_OPTIONALLY_ENCLOSED_BY"] = "'\"'",
            ["EMPTY_FIELD_AS_NULL"] = "TRUE", ["NULL_IF"] = "()", ["ENCODING"] = "'UTF8'", ["TRIM_SPACE"] = "FALSE",
            ["ERROR_ON_COLUMN_COUNT_MISMATCH"] = "TRUE",
        };
        foreach (var (name, value) in expected)
        {
            if (!options.TryGetValue(name, out var actual) || actual != value)
            {
                throw new NotSupportedException($"the fake reads {name} = {value}; the script has {actual ?? "nothing"}");
            }
        }

        return new CsvFileFormat(options["TIMESTAMP_FORMAT"].Trim('\''));
    }

    /// <summary>The records after the header: each field's text, or null for an unquoted empty field.</summary>
    public static IEnumerable<IReadOnlyList<string?>> Read(byte[] csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(csv);
        var at = 0;
        var header = true;
        while (at < text.Length)
        {
            var fields = new List<string?>();
            while (true)
            {
                string? field;
                if (at < text.Length && text[at] == '"')
                {
                    var value = new StringBuilder();
                    at++;
                    while (true)
                    {
                        var quote = text.IndexOf('"', at);
                        if (quote < 0)
                        {
                            throw new SnowflakeCopyException("Found character end of file instead of field delimiter ','");
                        }

                        value.Append(text, at, quote - at);
                        at = quote + 1;
                        if (at < text.Length && text[at] == '"')
                        {
                            value.Append('"');
                            at++;
                            continue;
                        }

                        break;
                    }

                    // A quoted empty field is an empty string, not NULL (EMPTY_FIELD_AS_NULL applies to unquoted ones).
                    field = value.ToString();
                }
                else
                {
                    var end = at;
                    while (end < text.Length && text[end] is not (',' or '\r' or '\n'))
                    {
                        end++;
                    }

                    field = end == at ? null : text[at..end];
                    at = end;
                }

                fields.Add(field);
                if (at < text.Length && text[at] == ',')
                {
                    at++;
                    continue;
                }

                if (at < text.Length && text[at] == '\r')
                {
                    at++;
                }

                if (at < text.Length && text[at] == '\n')
                {
                    at++;
                }

                break;
            }

            if (header)
            {
                header = false;
                continue;
            }

            // A COPY with a SELECT ignores ERROR_ON_COLUMN_COUNT_MISMATCH
            // (docs.snowflake.com/en/user-guide/data-load-transform): a missing field reads as NULL.
            yield return fields;
        }
    }

    [GeneratedRegex(@"^\s*(?<name>[A-Z_]+)\s*=\s*(?<value>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex OptionPattern();
}

/// <summary>
/// TO_TIMESTAMP_TZ(text, format) by docs.snowflake.com/en/sql-reference/date-time-input-output
/// ("Date and time formats in conversion functions"): YYYY, MM, DD, HH24, MI, SS, FF0 to FF9
/// (FF alone: up to 9 digits), TZH:TZM, text in double quotes and the separators - / : . , space
/// as literals; "If no matching format is found, Snowflake returns an error". At least as strict
/// as Snowflake: each element takes exactly its digits, the whole text must be used, and without
/// TZH the session time zone applies, which the adapter sets to UTC on every request.
/// </summary>
public static class SnowflakeTimestampFormat
{
    // Each element, the digits it takes, and which part of the timestamp it sets.
    private static readonly (string Element, int Digits, int Part)[] DigitElements =
        [("YYYY", 4, 0), ("MM", 2, 1), ("DD", 2, 2), ("HH24", 2, 3), ("MI", 2, 4), ("SS", 2, 5)];

    public static DateTimeOffset Parse(string text, string format)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(format);
        // year, month, day, hour, minute, second
        var parts = new int[6];
        long fractionTicks = 0;
        TimeSpan? offset = null;
        var at = 0;
        var f = 0;
        SnowflakeCopyException NotRecognized() => new($"Timestamp '{text}' is not recognized");
        int Digits(int count)
        {
            if (at + count > text.Length || text.AsSpan(at, count).ContainsAnyExceptInRange('0', '9'))
            {
                throw NotRecognized();
            }

            var value = int.Parse(text.AsSpan(at, count), CultureInfo.InvariantCulture);
            at += count;
            return value;
        }

        while (f < format.Length)
        {
            var rest = format.AsSpan(f);
            if (rest[0] == '"')
            {
                var close = format.IndexOf('"', f + 1);
                var literal = format[(f + 1)..close];
                if (!text.AsSpan(at).StartsWith(literal, StringComparison.Ordinal))
                {
                    throw NotRecognized();
                }

                at += literal.Length;
                f = close + 1;
            }
            else if (DigitElements.FirstOrDefault(e => format.AsSpan(f).StartsWith(e.Element, StringComparison.Ordinal)) is { Element: not null } element)
            {
                parts[element.Part] = Digits(element.Digits);
                f += element.Element.Length;
            }
            else if (rest.StartsWith("FF", StringComparison.Ordinal))
            {
                var precision = rest.Length > 2 && char.IsAsciiDigit(rest[2]) ? rest[2] - '0' : -1;
                f += precision >= 0 ? 3 : 2;
                var digits = 0;
                while (at + digits < text.Length && char.IsAsciiDigit(text[at + digits]))
                {
                    digits++;
                }

                if (precision >= 0 ? digits != precision : digits is 0 or > 9)
                {
                    throw NotRecognized();
                }

                var fraction = text.Substring(at, digits).PadRight(9, '0');
                fractionTicks = long.Parse(fraction[..7], CultureInfo.InvariantCulture);
                at += digits;
            }
            else if (rest.StartsWith("TZH:TZM", StringComparison.Ordinal))
            {
                if (at >= text.Length || text[at] is not ('+' or '-'))
                {
                    throw NotRecognized();
                }

                var sign = text[at++] == '-' ? -1 : 1;
                var hours = Digits(2);
                if (at >= text.Length || text[at++] != ':')
                {
                    throw NotRecognized();
                }

                var minutes = Digits(2);
                offset = TimeSpan.FromMinutes(sign * ((hours * 60) + minutes));
                f += 7;
            }
            else if (rest[0] is '-' or '/' or ':' or '.' or ',' or ' ')
            {
                if (at >= text.Length || text[at] != rest[0])
                {
                    throw NotRecognized();
                }

                at++;
                f++;
            }
            else
            {
                throw new NotSupportedException($"format element at \"{rest}\" of {format}");
            }
        }

        var (year, month, day, hour, minute, second) = (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
        if (at != text.Length || month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            throw NotRecognized();
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        return new DateTimeOffset(local, offset ?? SessionOffset());
    }

    private static TimeSpan SessionOffset() => SnowflakeSqlClient.SessionTimeZone == "UTC"
        ? TimeSpan.Zero
        : throw new NotSupportedException($"session time zone {SnowflakeSqlClient.SessionTimeZone}");
}
