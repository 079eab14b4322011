namespace CryptoEtl.Core.Backfill;

/// <summary>What Load hands a warehouse for a backfill: its history CSV, already checked against the schema.</summary>
/// <param name="CsvKey">processed/history/&lt;backfill id&gt;/history_&lt;write id&gt;.csv.</param>
/// <param name="BackfillId">The backfill the rows are marked with.</param>
/// <param name="ExpectedRows">The CSV's rows.</param>
/// <param name="LocalPath">The checked CSV as a local file, for a warehouse that reads files.</param>
public sealed record HistoryCsv(string CsvKey, string BackfillId, int ExpectedRows, string? LocalPath = null);
