namespace CryptoEtl.Core;

/// <summary>What Load hands a warehouse: one snapshot's CSV, already checked against the schema.</summary>
/// <param name="CsvKey">The CSV's key in the store.</param>
/// <param name="FetchTime">The snapshot's time: the only rows the load may hold.</param>
/// <param name="ExpectedRows">The rows Load counted in the CSV, which are the transform's count.</param>
/// <param name="LocalPath">
/// The checked CSV as a file on this machine, for a warehouse that reads files
/// (<see cref="IWarehouse.ReadsLocalFile"/>): the store's own file, or the copy Load made while checking it.
/// </param>
public sealed record SnapshotCsv(string CsvKey, DateTimeOffset FetchTime, int ExpectedRows, string? LocalPath = null);
