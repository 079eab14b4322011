namespace CryptoEtl.Core;

/// <summary>
/// The error names the steps raise. They are the Lambda errorType and what the state machine's
/// Retry and Catch match, so this class is the one list both sides are checked against.
/// </summary>
public static class ErrorNames
{
    // Transient: worth retrying later, by the state machine's Retry.
    public const string CoinGeckoRateLimited = "CryptoEtl.CoinGeckoRateLimited";
    public const string CoinGeckoUnavailable = "CryptoEtl.CoinGeckoUnavailable";
    public const string StorageUnavailable = "CryptoEtl.StorageUnavailable";
    public const string WarehouseUnavailable = "CryptoEtl.WarehouseUnavailable";
    public const string DeadlineExceeded = "CryptoEtl.DeadlineExceeded";

    // Not yet: Snowpipe has not finished the CSV. Only Load (pipe mode) raises it, and only Load's
    // Retry waits for it, longer and more patiently than for a failure (docs/snowflake.md).
    public const string IngestPending = "CryptoEtl.IngestPending";

    // Permanent: retrying cannot help; the run goes to the alert.
    public const string CoinGeckoAuth = "CryptoEtl.CoinGeckoAuth";
    public const string CoinGeckoBadResponse = "CryptoEtl.CoinGeckoBadResponse";
    public const string InvalidInput = "CryptoEtl.InvalidInput";
    public const string ObjectNotFound = "CryptoEtl.ObjectNotFound";
    public const string RawObjectInvalid = "CryptoEtl.RawObjectInvalid";
    public const string CsvSchemaMismatch = "CryptoEtl.CsvSchemaMismatch";
    public const string RowCountMismatch = "CryptoEtl.RowCountMismatch";
    public const string WarehouseError = "CryptoEtl.WarehouseError";
    public const string Configuration = "CryptoEtl.Configuration";

    // Another execution's same step holds its lease (StepLease): this one did nothing.
    public const string AlreadyRunning = "CryptoEtl.AlreadyRunning";

    public static IReadOnlyList<string> Transient { get; } =
        [CoinGeckoRateLimited, CoinGeckoUnavailable, StorageUnavailable, WarehouseUnavailable, DeadlineExceeded];

    /// <summary>Names that mean "look again later", each retried only by the state that raises it.</summary>
    public static IReadOnlyList<string> Pending { get; } = [IngestPending];

    public static IReadOnlyList<string> Permanent { get; } =
        [CoinGeckoAuth, CoinGeckoBadResponse, InvalidInput, ObjectNotFound, RawObjectInvalid, CsvSchemaMismatch,
         RowCountMismatch, WarehouseError, Configuration, AlreadyRunning];

    public static IReadOnlyList<string> All { get; } = [.. Transient, .. Pending, .. Permanent];

    public static bool IsTransient(string errorName) => Transient.Contains(errorName) || Pending.Contains(errorName);

    /// <summary>
    /// The error name an exception reports (the Lambda errorType, what Retry and Catch match): a
    /// <see cref="PipelineException"/>'s ErrorName, else the .NET type's full name (a bug or an
    /// unwrapped failure, which the state machine's catch-all sends to the alert).
    /// </summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is PipelineException pipeline ? pipeline.ErrorName : exception.GetType().FullName ?? exception.GetType().Name;
    }
}
