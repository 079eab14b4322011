using System.Runtime.InteropServices;

namespace CryptoEtl.FileSystem;

/// <summary>
/// Whether a path is a regular file, a device, a FIFO or a socket. .NET reports all of them as
/// "Normal" files, and writing one by temp-file-then-rename would replace a device node or FIFO
/// with a plain file (as root, /dev/null itself). Read with Linux's statx(2), whose struct layout
/// is the same on every architecture (unlike stat's); no BCL API or served package gives the file
/// type, so it is declared here. Elsewhere (macOS, Windows) every existing file counts as regular.
/// </summary>
public static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;
    private const int Directory = 0x4000;

    /// <summary>True when <paramref name="path"/> (symlinks followed) exists and is neither a regular file nor a folder.</summary>
    public static bool IsSpecial(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var buffer = new byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            return false;
        }

        var type = BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask;
        return type is not Regular and not Directory;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
