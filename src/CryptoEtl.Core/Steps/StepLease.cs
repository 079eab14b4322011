using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace CryptoEtl.Core;

/// <summary>
/// One Extract, and one Load, at a time across executions, as `cryptoetl schedule` runs one run at a
/// time: a manual and a scheduled execution on AWS would otherwise share CoinGecko's rate and load
/// two snapshots at once. The step holds <c>locks/{step}.json</c> while it runs, written only when
/// absent (<see cref="IObjectStore.TryCreateAsync"/>: S3's If-None-Match: *, so two executions
/// cannot both take it), and deletes it when it ends, failed or not. A second one meanwhile fails
/// with <see cref="ErrorNames.AlreadyRunning"/> before doing anything (permanent: the execution
/// fails and is alerted; the next run goes ahead). A holder killed before it could let go (Lambda's
/// timeout) leaves the lease to expire after <see cref="Duration"/>, when the next run takes it over.
/// </summary>
public sealed class StepLease : IAsyncDisposable
{
    /// <summary>
    /// No step outlives it on AWS: each Task's TimeoutSeconds (960 s) ends the attempt, and
    /// Lambda stops the function at 900 s (TemplateTests checks the state machine against it).
    /// </summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(960);

    private const string HolderField = "holder";
    private const string ExpiresField = "expires";

    private readonly IObjectStore _store;
    private readonly string _key;
    private readonly string _holder;

    private StepLease(IObjectStore store, string key, string holder)
    {
        _store = store;
        _key = key;
        _holder = holder;
    }

    public static string KeyOf(string step) => $"locks/{step}.json";

    /// <summary>Takes the step's lease, or fails with AlreadyRunning naming who holds it until when.</summary>
    public static async Task<StepLease> AcquireAsync(IObjectStore store, string step, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var key = KeyOf(step);
        var holder = Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow();
        var body = Body(holder, now + Duration);
        if (await store.TryCreateAsync(key, ContentTypes.Json, body, cancellationToken))
        {
            return new StepLease(store, key, holder);
        }

        var held = await ReadAsync(store, key, cancellationToken);
        if (held is { Expires: var expires } && expires > now)
        {
            throw new PipelineException(ErrorNames.AlreadyRunning,
                $"another {step} is running (it holds {key} in {store.Location} until {ObjectKeys.Iso(expires)}): one {step} at a time, so this one did nothing. "
                + "Start it again when that one has ended");
        }

        // Expired (its holder was stopped before it could let go) or unreadable: take it over. Two
        // takers can both delete it; only one of them then creates it.
        await store.DeleteAsync(key, cancellationToken);
        if (await store.TryCreateAsync(key, ContentTypes.Json, body, cancellationToken))
        {
            return new StepLease(store, key, holder);
        }

        throw new PipelineException(ErrorNames.AlreadyRunning,
            $"another {step} took over the expired {key} in {store.Location} a moment ago: one {step} at a time, so this one did nothing");
    }

    /// <summary>Lets go, unless another run has taken the lease over since it expired.</summary>
    public async ValueTask DisposeAsync()
    {
        // Not the caller's token: a cancelled step still lets go.
        if ((await ReadAsync(_store, _key, CancellationToken.None))?.Holder == _holder)
        {
            await _store.DeleteAsync(_key, CancellationToken.None);
        }
    }

    private static byte[] Body(string holder, DateTimeOffset expires)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(HolderField, holder);
            json.WriteString(ExpiresField, ObjectKeys.Iso(expires));
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<(string? Holder, DateTimeOffset Expires)?> ReadAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await store.ReadAllBytesAsync(key, cancellationToken);
        }
        catch (PipelineException ex) when (ex.ErrorName == ErrorNames.ObjectNotFound)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return (root.GetProperty(HolderField).GetString(),
                DateTimeOffset.Parse(root.GetProperty(ExpiresField).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
