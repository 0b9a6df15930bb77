using System.Runtime.InteropServices;
using Keepwire.Adapters.Posix;

namespace Keepwire.Files;

/// <summary>
/// Replaces a file so that, whatever happens (a crash, a power cut), the path holds the old content or the whole
/// new one: the content goes to a temporary file beside it, created with its final mode (never loosened later),
/// which is flushed to disk, renamed over the path, and then the directory is flushed so the rename itself is
/// durable. Without the two flushes a power cut can leave an empty or half-written file under the new name.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <param name="overwrite">False: fail with an <see cref="IOException"/> if the path exists, and leave it alone.</param>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool overwrite = true)
    {
        var (directory, temporary) = Prepare(path);
        try
        {
            using (var stream = new FileStream(temporary, CreateNew(mode)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite);
            FlushDirectory(directory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var (directory, temporary) = Prepare(path);
        try
        {
            await using (var stream = new FileStream(temporary, CreateNew(mode)))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            FlushDirectory(directory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The file's directory (made, private to the owner, if missing) and a fresh temporary name in it.</summary>
    private static (string Directory, string Temporary) Prepare(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? "/";
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        return (directory, Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp"));
    }

    private static FileStreamOptions CreateNew(UnixFileMode mode) =>
        new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };

    /// <summary>fsync(2) on the directory: .NET cannot open a directory as a file, so this goes to libc.</summary>
    private static void FlushDirectory(string directory)
    {
        var fd = Libc.Open(directory, Libc.OpenReadOnlyCloseOnExec);
        if (fd < 0)
            throw new IOException($"cannot open directory '{directory}' to flush it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            if (Libc.Fsync(fd) != 0)
                throw new IOException($"cannot flush directory '{directory}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
