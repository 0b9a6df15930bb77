using System.Runtime.InteropServices;

namespace Keepwire.Files;

/// <summary>
/// The few libc calls .NET has no API for: a file's owner (statx), the process's effective uid, and fsync of a
/// directory (.NET refuses to open a directory as a file handle). Gathered here so no other file declares interop.
/// </summary>
internal static partial class Libc
{
    /// <summary>statx's dirfd for "relative to the working directory".</summary>
    public const int AtFdCwd = -100;

    public const uint StatxType = 0x1;
    public const uint StatxMode = 0x2;
    public const uint StatxUid = 0x8;
    public const uint StatxSize = 0x200;

    /// <summary>
    /// The size of <c>struct statx</c>. Its layout is the same on every architecture (unlike <c>struct stat</c>),
    /// which is why statx is used rather than stat: the fields read are at fixed offsets.
    /// </summary>
    public const int StatxBufferSize = 256;

    public const int StatxMaskOffset = 0;
    public const int StatxUidOffset = 20;
    public const int StatxModeOffset = 28;
    public const int StatxSizeOffset = 40;

    /// <summary>O_RDONLY | O_CLOEXEC; both have the same value on x86_64 and arm64.</summary>
    public const int OpenReadOnlyCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
