using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;

namespace CryptoEtl.DuckDb.Tests;

/// <summary>
/// Load reads the CSV from the store once: the shape check is that read, and DuckDB gets the
/// store's own file in place (a folder) or the copy the check wrote (any other store, e.g. S3).
/// </summary>
public sealed class LoadReadsOnceTests : IDisposable
{
    private static readonly DateTimeOffset FetchTime = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_csv_is_opened_once_and_its_rows_loaded(bool storeKeepsLocalFiles)
    {
        var folder = new FileSystemObjectStore(_dir.Combine("objects"));
        var key = ObjectKeys.Csv(FetchTime);
        await folder.PutBytesAsync(key, ContentTypes.Csv, Encoding.UTF8.GetBytes(Csv("bitcoin", "ethereum", "tether")), CancellationToken.None);
        var store = new CountingStore(folder, storeKeepsLocalFiles);
        var warehouse = new RecordingWarehouse(new DuckDbWarehouse(_dir.Combine("warehouse.duckdb")));

        var output = await new LoadStep(store, warehouse).RunAsync(new LoadInput { CsvKey = key, FetchTime = FetchTime, ExpectedRows = 3 }, CancellationToken.None);

        Assert.Equal(3, output.RowsLoaded);
        Assert.Equal(1, store.Opens);
        var ids = await DuckDbQuery.RunAsync(_dir.Combine("warehouse.duckdb"), "SELECT id FROM crypto_data ORDER BY id", CancellationToken.None);
        Assert.Equal(["bitcoin", "ethereum", "tether"], ids.Rows.Select(r => (string)r[0]!));
        if (storeKeepsLocalFiles)
        {
            Assert.Equal(folder.PathOf(key), warehouse.LocalPath);
        }
        else
        {
            // The staged copy was the warehouse's input, and it is gone afterwards.
            Assert.NotEqual(folder.PathOf(key), warehouse.LocalPath);
            Assert.False(File.Exists(warehouse.LocalPath));
        }
    }

    private static string Csv(params string[] ids)
    {
        var text = new StringBuilder(CryptoSchema.CsvHeader).Append('\n');
        foreach (var id in ids)
        {
            var values = new string[CryptoSchema.Columns.Count];
            values[CryptoSchema.IndexOf("fetch_time")] = ObjectKeys.Iso(FetchTime);
            values[CryptoSchema.IndexOf("vs_currency")] = "usd";
            values[CryptoSchema.IndexOf("id")] = id;
            values[CryptoSchema.IndexOf("symbol")] = id[..3];
            values[CryptoSchema.IndexOf("name")] = id;
            values[CryptoSchema.IndexOf("current_price")] = "1";
            text.AppendJoin(',', values.Select(v => v ?? "")).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Counts reads; without local files it stands for S3 (no path to read in place).</summary>
    private sealed class CountingStore(FileSystemObjectStore inner, bool localFiles) : IObjectStore
    {
        public int Opens { get; private set; }

        public string Location => inner.Location;

        public Task PutAsync(string key, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) =>
            inner.PutAsync(key, contentType, write, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenReadAsync(key, cancellationToken);
        }

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public string? LocalPathOf(string key) => localFiles ? inner.LocalPathOf(key) : null;
    }

    private sealed class RecordingWarehouse(DuckDbWarehouse inner) : IWarehouse
    {
        public string? LocalPath { get; private set; }

        public string Table => inner.Table;

        public bool ReadsLocalFile => inner.ReadsLocalFile;

        public Task<int> LoadSnapshotAsync(SnapshotCsv snapshot, CancellationToken cancellationToken)
        {
            LocalPath = snapshot.LocalPath;
            return inner.LoadSnapshotAsync(snapshot, cancellationToken);
        }
    }
}
