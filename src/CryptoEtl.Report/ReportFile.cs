using System.Text;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;

namespace CryptoEtl.Report;

/// <summary>Writes the report to a file atomically: a reader sees the old page or the new one.</summary>
public static class ReportFile
{
    public static async Task<string> WriteAsync(string path, ReportData data, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        // The folder store already writes temp-then-rename; the file name is its key.
        var store = new FileSystemObjectStore(Path.GetDirectoryName(fullPath)!);
        await store.PutBytesAsync(Path.GetFileName(fullPath), ContentTypes.Html, Encoding.UTF8.GetBytes(ReportHtml.Render(data)), cancellationToken);
        return fullPath;
    }
}
