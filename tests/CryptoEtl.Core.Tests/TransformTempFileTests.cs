using CryptoEtl.Core.Transform;
using CryptoEtl.Testing;
using static CryptoEtl.Core.Tests.CoinJson;

namespace CryptoEtl.Core.Tests;

/// <summary>
/// kill -9 during Transform (issue 15, item 6): the temporary files it leaves are removed by a later
/// run, and one still in use by a live writer is not. A killed writer is stood in for by a file
/// nobody holds open (the kernel drops a dead process's locks); a live one by a file held open
/// with FileShare.None here, which .NET locks exactly as the writers do.
/// </summary>
public sealed class TransformTempFileTests : IDisposable
{
    private static readonly DateTime LongAgo = DateTime.UtcNow - TimeSpan.FromHours(1);
    private readonly TransformHarness _harness = new();
    private readonly TempDirectory _spillDirectory = new();

    public void Dispose()
    {
        _harness.Dispose();
        _spillDirectory.Dispose();
    }

    private static string CreateFile(string directory, string name, DateTime lastWrite)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, new byte[4096]);
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }

    private static FileStream Hold(string path) => new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

    [Fact]
    public async Task A_rerun_removes_the_partial_csv_a_killed_transform_left_and_keeps_what_is_in_use_or_not_ours()
    {
        var first = await _harness.RunAsync(TransformHarness.Raw(Page(Coin("a"))));
        var folder = Path.GetDirectoryName(_harness.Store.PathOf(first.Output.CsvKey))!;
        var csvName = Path.GetFileName(first.Output.CsvKey);
        var killed = CreateFile(folder, $".{csvName}.{Guid.NewGuid():N}.partial", LongAgo);
        var killedOtherKey = CreateFile(folder, $".other.csv.{Guid.NewGuid():N}.partial", LongAgo);
        var inUse = CreateFile(folder, $".{csvName}.{Guid.NewGuid():N}.partial", LongAgo);
        var justCreated = CreateFile(folder, $".{csvName}.{Guid.NewGuid():N}.partial", DateTime.UtcNow);
        var notOurs = CreateFile(folder, ".notes.partial", LongAgo);
        using var writer = Hold(inUse);

        var rerun = await _harness.RunAsync(TransformHarness.Raw(Page(Coin("a"))));

        Assert.Equal(first.CsvBytes, rerun.CsvBytes);
        Assert.False(File.Exists(killed));
        Assert.False(File.Exists(killedOtherKey));
        Assert.True(File.Exists(inUse));
        Assert.True(File.Exists(justCreated));
        Assert.True(File.Exists(notOurs));
    }

    [Fact]
    public void The_row_spill_file_is_never_visible_and_stale_ones_are_swept()
    {
        var folder = _spillDirectory.FullPath;
        var killed = CreateFile(folder, $"cryptoetl-rows-{Guid.NewGuid():N}.tmp", LongAgo);
        var inUse = CreateFile(folder, $"cryptoetl-rows-{Guid.NewGuid():N}.tmp", LongAgo);
        var notOurs = CreateFile(folder, "cryptoetl-rows-mine.tmp", LongAgo);
        using var writer = Hold(inUse);

        using var spool = new RowSpool(memoryBudget: 0, folder);
        var fields = new byte[RowSpool.ChunkSize / 2];
        for (var i = 0; i < 4; i++)
        {
            spool.Add(1, 2, fields);
        }

        // Spilled, yet no file of its own in the folder: a kill -9 now would leave nothing.
        Assert.True(spool.Spilled);
        Assert.Equal(
            [Path.GetFileName(inUse), Path.GetFileName(notOurs)],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(killed));
    }
}
