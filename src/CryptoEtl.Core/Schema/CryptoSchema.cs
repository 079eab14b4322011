namespace CryptoEtl.Core;

/// <summary>
/// The one definition of the snapshot's columns, in CSV order: the CSV header, the DuckDB table
/// and the Snowflake table and COPY column list all come from here.
/// </summary>
public static class CryptoSchema
{
    public const string TableName = "crypto_data";
    public const string SnowflakeTable = "CRYPTO_ETL_DB.PUBLIC.CRYPTO_DATA";

    public static IReadOnlyList<Column> Columns { get; } =
    [
        new("fetch_time", ColumnType.Timestamp),
        new("vs_currency", ColumnType.Text),
        new("id", ColumnType.Text),
        new("symbol", ColumnType.Text),
        new("name", ColumnType.Text),
        new("current_price", ColumnType.Number),
        new("market_cap", ColumnType.Number),
        new("market_cap_rank", ColumnType.WholeNumber),
        new("fully_diluted_valuation", ColumnType.Number),
        new("total_volume", ColumnType.Number),
        new("high_24h", ColumnType.Number),
        new("low_24h", ColumnType.Number),
        new("price_change_24h", ColumnType.Number),
        new("price_change_percentage_24h", ColumnType.Number),
        new("market_cap_change_24h", ColumnType.Number),
        new("market_cap_change_percentage_24h", ColumnType.Number),
        new("circulating_supply", ColumnType.Number),
        new("total_supply", ColumnType.Number),
        new("max_supply", ColumnType.Number),
        new("ath", ColumnType.Number),
        new("ath_change_percentage", ColumnType.Number),
        new("ath_date", ColumnType.Timestamp),
        new("atl", ColumnType.Number),
        new("atl_change_percentage", ColumnType.Number),
        new("atl_date", ColumnType.Timestamp),
        new("roi_times", ColumnType.Number),
        new("roi_currency", ColumnType.Text),
        new("roi_percentage", ColumnType.Number),
        new("last_updated", ColumnType.Timestamp),
        new("dominance_percentage", ColumnType.Number),
        new("volume_percentage", ColumnType.Number),
        new("global_dominance_percentage", ColumnType.Number),
    ];

    /// <summary>The CSV header line, without the line break.</summary>
    public static string CsvHeader { get; } = string.Join(',', Columns.Select(c => c.Name));

    public static int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"no column {name}", nameof(name));
    }
}
