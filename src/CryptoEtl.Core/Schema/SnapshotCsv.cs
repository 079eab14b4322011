namespace CryptoEtl.Core;

/// <summary>
/// What Load hands a warehouse: one snapshot's CSV. Made once, where Load's input arrives; its key
/// is checked here to be a CSV of its fetch time (<see cref="SnapshotId.CsvKey"/>: digits, hex,
/// '/', '_', '-' and '.'), so a warehouse may put <see cref="StagePath"/> into SQL text as it is.
/// </summary>
public sealed record SnapshotCsv
{
    /// <param name="csvKey">The CSV's key in the store.</param>
    /// <param name="fetchTime">The snapshot's time: the only rows the load may hold.</param>
    /// <param name="expectedRows">The transform's row count, which Load checks the CSV against.</param>
    /// <param name="localPath">
    /// The checked CSV as a file on this machine, for a warehouse that reads files
    /// (<see cref="IWarehouse.ReadsLocalFile"/>): the store's own file, or the copy Load made while checking it.
    /// </param>
    public SnapshotCsv(string csvKey, DateTimeOffset fetchTime, int expectedRows, string? localPath = null)
        : this(csvKey, fetchTime, expectedRows, localPath, "csv_key")
    {
    }

    private SnapshotCsv(string? csvKey, DateTimeOffset fetchTime, int expectedRows, string? localPath, string keyName)
    {
        if (string.IsNullOrWhiteSpace(csvKey))
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"{keyName} is missing");
        }

        Snapshot = SnapshotId.Of(fetchTime);
        if (!Snapshot.IsCsvKey(csvKey))
        {
            throw new PipelineException(ErrorNames.InvalidInput,
                $"{keyName} {csvKey} is not a CSV of its fetch_time {Snapshot.Iso} ({Snapshot.CsvStem}_<write id>.csv)");
        }

        if (expectedRows < 0)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"expected_rows must not be negative, got {expectedRows}");
        }

        CsvKey = csvKey;
        ExpectedRows = expectedRows;
        LocalPath = localPath;
    }

    public string CsvKey { get; }

    public SnapshotId Snapshot { get; }

    /// <summary>The snapshot's time (UTC, whole seconds).</summary>
    public DateTimeOffset FetchTime => Snapshot.FetchTime;

    public int ExpectedRows { get; }

    public string? LocalPath { get; init; }

    /// <summary>The CSV's path relative to a stage on the bucket's processed/ prefix (Snowflake's).</summary>
    public string StagePath => CsvKey[ObjectKeys.ProcessedPrefix.Length..];

    /// <summary>Load's input, checked: InvalidInput names the field that is wrong.</summary>
    public static SnapshotCsv Of(LoadInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new SnapshotCsv(input.CsvKey, input.FetchTime, input.ExpectedRows, null, "load input's csv_key");
    }
}
