using System.Globalization;
using System.Text;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Core.Tests;

/// <summary>JsonNumber's fast path must give exactly the double that double.Parse gives, bit for bit.</summary>
public sealed class JsonNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("0.0")]
    [InlineData("-0.0")]
    [InlineData("1")]
    [InlineData("223000000.0")]
    [InlineData("1879845214393")]
    [InlineData("999999999999999")]
    [InlineData("9999999999999999")]
    [InlineData("9007199254740993")]
    [InlineData("0.1")]
    [InlineData("0.000000000000001")]
    [InlineData("0.0000000000000001")]
    [InlineData("4677993886.363677")]
    [InlineData("26780510241543.035")]
    [InlineData("-1767787.5643243932")]
    [InlineData("3.09e-09")]
    [InlineData("1.2E+7")]
    [InlineData("1e308")]
    public void Gives_the_double_that_double_Parse_gives(string text)
    {
        Assert.True(JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(value));
    }

    [Fact]
    public void Gives_the_double_that_double_Parse_gives_for_a_million_decimals_of_every_shape()
    {
        var random = new Random(18);
        var text = new StringBuilder();
        for (var i = 0; i < 1_000_000; i++)
        {
            text.Clear();
            if (random.Next(4) == 0)
            {
                text.Append('-');
            }

            var digits = random.Next(1, 19);
            var point = random.Next(-1, digits);
            for (var d = 0; d < digits; d++)
            {
                // No leading zero before other digits, as JSON has it.
                text.Append(d == 0 && digits > 1 && point != 0 ? (char)('1' + random.Next(9)) : (char)('0' + random.Next(10)));
                if (d == point && d < digits - 1)
                {
                    text.Append('.');
                }
            }

            var number = text.ToString();
            Assert.True(JsonNumber.TryParse(Encoding.ASCII.GetBytes(number), out var value), number);
            Assert.True(
                BitConverter.DoubleToInt64Bits(double.Parse(number, CultureInfo.InvariantCulture)) == BitConverter.DoubleToInt64Bits(value),
                $"{number}: {value:R}");
        }
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    public void Refuses_what_a_double_cannot_hold(string text) =>
        Assert.False(JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("-1", true)]
    [InlineData("-0.5", true)]
    [InlineData("-0", false)]
    [InlineData("-0.0", false)]
    [InlineData("0", false)]
    [InlineData("-1e-400", false)]
    public void Tells_negative_from_merely_signed(string text, bool negative) =>
        Assert.Equal(negative, JsonNumber.IsNegative(Encoding.ASCII.GetBytes(text)));
}
