using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Keepwire.Adapters.Posix;

/// <summary>
/// The few libc calls .NET does not expose, gathered in one place so no other file declares interop: statx (a
/// file's type, owner and identity: <see cref="Files.FileStatus"/>), the effective uid, fsync of a directory (.NET
/// refuses to open a directory as a file handle), descriptor flags (fcntl), malloc_trim, an advisory lock (flock), an
/// interface's index (if_nametoindex), signals, an anonymous file in memory, and the socket calls of a netlink socket
/// (<see cref="NetlinkSocket"/>: .NET's Socket does not take AF_NETLINK).
/// </summary>
internal static partial class Libc
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    /// <summary>Linux errno values this class and its callers tell apart.</summary>
    public const int NoSuchFile = 2;
    public const int WouldBlock = 11;
    public const int NotADirectory = 20;

    /// <summary>statx's dirfd for "relative to the working directory".</summary>
    public const int AtFdCwd = -100;

    /// <summary>statx's flag for "the link itself, not what it points to".</summary>
    public const int AtSymlinkNoFollow = 0x100;

    public const uint StatxType = 0x1;
    public const uint StatxMode = 0x2;
    public const uint StatxUid = 0x8;
    public const uint StatxInode = 0x100;
    public const uint StatxSize = 0x200;

    /// <summary>
    /// The size of <c>struct statx</c>. Its layout is the same on every architecture (unlike <c>struct stat</c>),
    /// which is why statx is used rather than stat: the fields read are at fixed offsets.
    /// </summary>
    public const int StatxBufferSize = 256;

    public const int StatxUidOffset = 20;
    public const int StatxModeOffset = 28;
    public const int StatxInodeOffset = 32;
    public const int StatxSizeOffset = 40;
    public const int StatxDeviceMajorOffset = 136;
    public const int StatxDeviceMinorOffset = 140;

    /// <summary>O_RDONLY | O_CLOEXEC; both have the same value on x86_64 and arm64.</summary>
    public const int OpenReadOnlyCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    /// <summary>
    /// The descriptor the next file or socket opened will get: the kernel hands out the lowest free one, so this opens
    /// /dev/null, reads its number and closes it again.
    /// </summary>
    public static int LowestFreeDescriptor()
    {
        var fd = Open("/dev/null", OpenReadOnlyCloseOnExec);
        if (fd < 0)
            throw new IOException($"cannot open /dev/null: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        Close(fd);
        return fd;
    }

    /// <summary>fcntl's F_GETFD and F_SETFD, and the one descriptor flag there is, FD_CLOEXEC (the same on x86_64 and arm64).</summary>
    public const int GetDescriptorFlags = 1;
    public const int SetDescriptorFlags = 2;
    public const int CloseOnExec = 1;

    /// <summary>fcntl with an int argument (F_GETFD, F_SETFD).</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>
    /// Gives the pages glibc's allocator holds free, in every arena, back to the kernel (malloc_trim(0)); nothing where
    /// the C library has no such call (not glibc).
    /// </summary>
    public static void TrimMalloc()
    {
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>flock(LOCK_EX | LOCK_NB): true when this handle holds the lock now, false when another open file holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (flock(handle, LockExclusive | LockNonBlocking) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == WouldBlock ? false : throw new IOException($"cannot lock: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>The index of network interface <paramref name="name"/>, or 0 when there is none of that name.</summary>
    public static int InterfaceIndex(string name) => (int)if_nametoindex(name);

    /// <summary>
    /// kill(-group, SIGKILL): ends every process of a process group, also those whose parent already exited
    /// (a killed process tree walked through /proc misses them). False when the group has no process left.
    /// </summary>
    public static bool KillProcessGroup(int group) => group > 1 && kill(-group, SignalKill) == 0;

    private const int SignalKill = 9;
    private const int SignalHangUp = 1;
    private const nint SignalDefaultAction = 0;

    /// <summary>
    /// Gives SIGHUP its default action back before the daemon registers its reload handler. A daemon started with
    /// SIGHUP ignored (under nohup, or a supervisor that ignores it) inherits that, and .NET installs no handler
    /// for a signal that is ignored: `kill -HUP` would then do nothing at all. Call it right before the registration.
    /// </summary>
    public static void UnignoreHangUp() => signal(SignalHangUp, SignalDefaultAction);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int flock(SafeFileHandle fd, int operation);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPUTF8Str)] string ifname);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(SafeHandle socket, ReadOnlySpan<byte> address, int addressLength);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSocketOption(SafeHandle socket, int level, int name, ReadOnlySpan<byte> value, int valueLength);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(SafeHandle socket, ReadOnlySpan<byte> buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Receive(SafeHandle socket, Span<byte> buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>
    /// An anonymous file in memory (memfd_create) holding <paramref name="content"/>, for a library that reads only
    /// from a path: <c>/proc/self/fd/{fd}</c> opens it while the handle is open. Gone when the handle is disposed.
    /// </summary>
    public static SafeFileHandle MemoryFile(string name, ReadOnlySpan<byte> content)
    {
        var fd = memfd_create(name, MemoryFileCloseOnExec);
        if (fd < 0)
            throw new IOException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, content, fileOffset: 0);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private const uint MemoryFileCloseOnExec = 1;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);
}
