using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.FileSystem.Tests;

/// <summary>One Extract (one Load) at a time: the step's lease on the folder store.</summary>
public sealed class StepLeaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileSystemObjectStore _store;
    private readonly SimulatedClock _clock = new();

    public StepLeaseTests()
    {
        _store = new FileSystemObjectStore(_dir.Combine("objects"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_second_holder_is_refused_until_the_first_lets_go()
    {
        var first = await StepLease.AcquireAsync(_store, "extract", _clock, default);

        var refused = await Assert.ThrowsAsync<PipelineException>(() => StepLease.AcquireAsync(_store, "extract", _clock, default));
        Assert.Equal(ErrorNames.AlreadyRunning, refused.ErrorName);
        Assert.StartsWith("another extract is running (it holds locks/extract.json in file://", refused.Message, StringComparison.Ordinal);
        Assert.Contains("until 2026-11-25T12:16:00Z", refused.Message, StringComparison.Ordinal);
        // Another step's lease is its own.
        await using (await StepLease.AcquireAsync(_store, "load", _clock, default))
        {
        }

        await first.DisposeAsync();
        Assert.False(File.Exists(_store.LocalPathOf(StepLease.KeyOf("extract"))));
        await using var second = await StepLease.AcquireAsync(_store, "extract", _clock, default);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_its_old_holder_does_not_free_the_new_one()
    {
        var stale = await StepLease.AcquireAsync(_store, "load", _clock, default);
        _clock.Advance(StepLease.Duration + TimeSpan.FromSeconds(1));

        var taken = await StepLease.AcquireAsync(_store, "load", _clock, default);
        await stale.DisposeAsync();

        Assert.True(File.Exists(_store.LocalPathOf(StepLease.KeyOf("load"))));
        await Assert.ThrowsAsync<PipelineException>(() => StepLease.AcquireAsync(_store, "load", _clock, default));
        await taken.DisposeAsync();
        Assert.False(File.Exists(_store.LocalPathOf(StepLease.KeyOf("load"))));
    }

    [Fact]
    public async Task Of_many_simultaneous_creates_exactly_one_succeeds()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => _store.TryCreateAsync("locks/x.json", ContentTypes.Json, new[] { (byte)('a' + i) }, default))));

        Assert.Single(created, c => c);
        Assert.Single(await File.ReadAllBytesAsync(_store.LocalPathOf("locks/x.json")!));
        Assert.Empty(Directory.GetFiles(_dir.Combine("objects", "locks"), "*.partial"));
    }
}
