namespace CryptoEtl.Report.Tests;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData(1.234e12, "1.23 T")]
    [InlineData(45.6e9, "45.6 B")]
    [InlineData(789.4e6, "789 M")]
    [InlineData(12_345, "12.3 K")]
    [InlineData(950, "950")]
    [InlineData(1.5, "1.50")]
    [InlineData(999.6e9, "1.00 T")]
    [InlineData(-66.04e9, "−66.0 B")]
    [InlineData(0, "0.00")]
    public void Compact_keeps_three_significant_digits_and_a_unit(double value, string expected) =>
        Assert.Equal(expected, ReportFormat.Compact(value));

    [Theory]
    [InlineData(3.652e12, "usd", "$3.65 T")]
    [InlineData(-107.2e9, "usd", "−$107 B")]
    [InlineData(45.6e9, "eur", "€45.6 B")]
    [InlineData(12.3e6, "chf", "12.3 M CHF")]
    public void Money_puts_the_currency_where_people_expect_it(double value, string currency, string expected) =>
        Assert.Equal(expected, ReportFormat.Money(value, currency));

    [Theory]
    [InlineData(102_496.217, "$102,496")]
    [InlineData(12.3456, "$12.35")]
    [InlineData(0.81674, "$0.8167")]
    [InlineData(0.000190912, "$0.0001909")]
    [InlineData(3.711857321470539e-09, "$0.000000003712")]
    public void Price_shows_the_digits_that_matter(double value, string expected) =>
        Assert.Equal(expected, ReportFormat.Price(value, "usd"));

    [Fact]
    public void Percentages_have_a_space_a_sign_for_changes_and_no_negative_zero()
    {
        Assert.Equal("45.6 %", ReportFormat.Percent(45.63));
        Assert.Equal("+2.3 %", ReportFormat.SignedPercent(2.26));
        Assert.Equal("−1.2 %", ReportFormat.SignedPercent(-1.24));
        Assert.Equal("0.0 %", ReportFormat.SignedPercent(-0.01));
        Assert.Equal("−2.84 %", ReportFormat.SignedPercent(-2.8412, 2));
        Assert.Equal("+$1.20 B", ReportFormat.SignedMoney(1.2e9, "usd"));
    }

    [Fact]
    public void Missing_values_show_a_dash()
    {
        Assert.Equal(ReportFormat.Missing, ReportFormat.Compact(null));
        Assert.Equal(ReportFormat.Missing, ReportFormat.Money(double.NaN, "usd"));
        Assert.Equal(ReportFormat.Missing, ReportFormat.Price(null, "usd"));
        Assert.Equal(ReportFormat.Missing, ReportFormat.Percent(null));
        Assert.Equal(ReportFormat.Missing, ReportFormat.SignedPercent(null));
    }

    [Fact]
    public void Times_are_utc_and_spelled_out() =>
        Assert.Equal("19 Dec 2024, 10:45 UTC", ReportFormat.Time(new DateTimeOffset(2024, 12, 19, 11, 45, 0, TimeSpan.FromHours(1))));
}
