using System.Text;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;

namespace CryptoEtl.Report;

/// <summary>
/// Writes the report to a file atomically: a reader sees the old page or the new one. A symlink
/// is followed (its target is replaced, the link stays); a device, FIFO or socket (/dev/stdout, a
/// named pipe) is written through, never replaced by a plain file.
/// </summary>
public static class ReportFile
{
    public static async Task<string> WriteAsync(string path, ReportData data, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var bytes = Encoding.UTF8.GetBytes(ReportHtml.Render(data));
        if (Directory.Exists(fullPath))
        {
            throw new PipelineException(ErrorNames.Configuration, $"--out {path} is a folder; give a file name such as {Path.Combine(path, "report.html")}");
        }

        try
        {
            if (new FileInfo(fullPath).LinkTarget is not null && File.ResolveLinkTarget(fullPath, returnFinalTarget: true) is { } target)
            {
                fullPath = target.FullName;
            }
        }
        catch (IOException ex)
        {
            throw new PipelineException(ErrorNames.Configuration, $"--out {path} is a symlink that leads nowhere (a loop?): {ex.Message}", ex);
        }

        if (FileKind.IsSpecial(fullPath))
        {
            try
            {
                await using var special = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
                await special.WriteAsync(bytes, cancellationToken);
                return fullPath;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PipelineException(ErrorNames.StorageUnavailable, $"could not write the report to {fullPath}: {ex.Message}", ex);
            }
        }

        // The folder store already writes temp-then-rename; the file name is its key.
        var store = new FileSystemObjectStore(Path.GetDirectoryName(fullPath)!);
        await store.PutBytesAsync(Path.GetFileName(fullPath), ContentTypes.Html, bytes, cancellationToken);
        return fullPath;
    }
}
