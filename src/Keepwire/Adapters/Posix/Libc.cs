using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Keepwire.Adapters.Posix;

/// <summary>
/// The few libc calls .NET does not expose, gathered in one place: a path's file type without following
/// links (statx), an advisory lock (flock), an interface's index (if_nametoindex), and the socket calls of a
/// netlink socket (<see cref="NetlinkSocket"/>: .NET's Socket does not take AF_NETLINK).
/// </summary>
internal static partial class Libc
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const int StatxBufferBytes = 256;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    /// <summary>Linux errno values this class tells apart.</summary>
    public const int NoSuchFile = 2;
    public const int WouldBlock = 11;

    /// <summary>What is at a path, without following a symbolic link; null when nothing is there.</summary>
    /// <exception cref="IOException">statx failed for another reason than the path not existing.</exception>
    public static PathStatus? Status(string path)
    {
        var buffer = new byte[StatxBufferBytes];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxIno, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == NoSuchFile ? null : throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        // struct statx is the same on every architecture: stx_mode (u16) at 28, stx_ino (u64) at 32,
        // stx_dev_major and stx_dev_minor (u32) at 136 and 140.
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        return new PathStatus((mode & 0xF000) switch
        {
            0xC000 => PathKind.Socket,
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            0xA000 => PathKind.SymbolicLink,
            _ => PathKind.Other,
        }, major, minor, inode);
    }

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
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] buffer);

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
    internal static partial int Close(nint fd);

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

public enum PathKind
{
    RegularFile,
    Directory,
    Socket,
    SymbolicLink,
    Other,
}

/// <summary>A path's type and identity (device and inode, as /proc/locks names a locked file).</summary>
public sealed record PathStatus(PathKind Kind, uint DeviceMajor, uint DeviceMinor, ulong Inode);
