using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Report;

/// <summary>Reads the data-quality object Transform writes next to the CSV (SnapshotId.QualityKey).</summary>
public static class QualityObject
{
    /// <summary>
    /// The quality report under <paramref name="key"/> (Transform's quality_key, or
    /// <see cref="SnapshotId.QualityKey"/>), or null when the store has none there.
    /// </summary>
    public static async Task<QualityReport?> ReadAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (await store.HeadAsync(key, cancellationToken) is null)
        {
            return null;
        }

        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, QualityJsonContext.Default.QualityReport, cancellationToken)
                ?? throw new PipelineException(ErrorNames.InvalidInput, $"{key} in {store.Location} is null, not a quality report");
        }
        catch (JsonException ex)
        {
            throw new PipelineException(ErrorNames.InvalidInput, $"{key} in {store.Location} is not a quality report: {ex.Message}", ex);
        }
    }
}
