using System.Text;
using CryptoEtl.Core.Transform;
using CsvHelper;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// Transform encodes its CSV itself (CsvFieldEncoding); CsvHelper's writer is the reference: the same
/// fields must come out as the same bytes.
/// </summary>
public sealed class CsvFieldEncodingTests : IDisposable
{
    private readonly TransformHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static readonly string[] Fields =
    [
        "plain",
        "with space",
        " leading and trailing ",
        "a,b",
        "say \"hi\"",
        "\"",
        "\"\"",
        ",",
        "line\nbreak",
        "carriage\rreturn",
        "crlf\r\n",
        "tab\there",
        "Bitcoin ₿ 比特币 🚀",
        "=1+2",
        "'quoted'",
        ";semicolon;",
    ];

    public static TheoryData<string> FieldCases() => [.. Fields];

    [Theory]
    [MemberData(nameof(FieldCases))]
    public void A_field_is_encoded_as_CsvHelper_encodes_it(string field)
    {
        var utf8 = Encoding.UTF8.GetBytes(field);
        var ours = new byte[(2 * utf8.Length) + 2];
        var written = CsvFieldEncoding.Write(ours, utf8);

        Assert.Equal(Encoding.UTF8.GetString(CsvHelperRecord([utf8])), Encoding.UTF8.GetString(ours, 0, written) + "\r\n");
    }

    [Fact]
    public async Task The_transformed_csv_is_byte_for_byte_what_CsvHelper_writes_for_the_same_fields()
    {
        var names = Fields;
        var coins = names.Select((name, i) => Coin(
            $"coin-{i}",
            ("name", Json(name)),
            ("symbol", Json(name.Length > 3 ? name[..3] + i : name + i)),
            ("image", Json($"https://example.com/{i}.png?size=large,x")),
            ("price_change_24h", "-1.5e-7"),
            ("market_cap", (1_000_000 * (i + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var result = await _harness.RunAsync(TransformHarness.Raw(Page([.. coins])));

        Assert.Equal(names.Length, result.Rows.Count);
        var expected = new MemoryStream();
        await using (var writer = CsvWriter.Create(expected, CsvWriterOptions.Default, leaveOpen: true))
        {
            foreach (var column in result.Header)
            {
                writer.WriteField(Encoding.UTF8.GetBytes(column));
            }

            writer.EndRecord();
            foreach (var row in result.Rows)
            {
                foreach (var column in result.Header)
                {
                    writer.WriteField(Encoding.UTF8.GetBytes(row[column] ?? ""));
                }

                writer.EndRecord();
            }
        }

        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(result.CsvBytes));
        Assert.Contains("\"say \"\"hi\"\"\"", Encoding.UTF8.GetString(result.CsvBytes), StringComparison.Ordinal);
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static byte[] CsvHelperRecord(byte[][] fields)
    {
        var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, CsvWriterOptions.Default, leaveOpen: true))
        {
            foreach (var field in fields)
            {
                writer.WriteField(field);
            }

            writer.EndRecord();
        }

        return stream.ToArray();
    }
}
