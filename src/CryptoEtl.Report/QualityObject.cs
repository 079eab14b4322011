using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.Report;

/// <summary>Reads what the report needs from the data-quality object Transform writes next to the CSV.</summary>
public static class QualityObject
{
    public const string RowsRejectedField = "rows_rejected";

    /// <summary>The snapshot's rejected row count, or null when there is no quality object for it.</summary>
    public static async Task<int?> ReadRowsRejectedAsync(IObjectStore store, DateTimeOffset fetchTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = ObjectKeys.Quality(fetchTime);
        if (await store.HeadAsync(key, cancellationToken) is null)
        {
            return null;
        }

        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        try
        {
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return json.RootElement.TryGetProperty(RowsRejectedField, out var rejected) && rejected.TryGetInt32(out var count)
                ? count
                : throw new PipelineException(ErrorNames.InvalidInput, $"{key} in {store.Location} has no whole number {RowsRejectedField}");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"{key} in {store.Location} is not JSON: {ex.Message}", ex);
        }
    }
}
