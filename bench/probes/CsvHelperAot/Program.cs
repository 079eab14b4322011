using System.Globalization;
using CsvHelper;

// Writes rows the way Transform does (UTF-8 fields one by one, a double, a null) and reads them
// back, so both the writer and the reader are rooted in the native image.
using var buffer = new MemoryStream();
await using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
{
    csv.WriteField("id"u8);
    csv.WriteField("name"u8);
    csv.WriteField("share"u8);
    csv.WriteField("note"u8);
    await csv.EndRecordAsync();
    csv.WriteField("bitcoin"u8);
    csv.WriteField("Bit, \"coin\""u8);
    csv.WriteField(3.711857321470539e-09, default);
    csv.WriteField(""u8);
    await csv.EndRecordAsync();
}

buffer.Position = 0;
using var reader = CsvReader.Create(buffer, CsvReaderOptions.Default, leaveOpen: true);
while (reader.Read())
{
    Console.WriteLine(string.Join(" | ", reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsNull(3)));
}

Console.WriteLine(CultureInfo.InvariantCulture.Name.Length == 0 ? "ok" : "culture?");
