using System.Runtime.InteropServices;
using Keepwire.Adapters.Posix;

namespace Keepwire.Files;

/// <summary>What a file is, as statx(2) tells it.</summary>
/// <param name="Kind">Regular file, directory, socket, FIFO, device …</param>
/// <param name="Mode">The permission bits.</param>
/// <param name="OwnerUid">The numeric owner; .NET has no API for it.</param>
/// <param name="Size">In bytes; meaningful for regular files only.</param>
/// <param name="Identity">The device and inode, as /proc/locks names a locked file.</param>
public readonly record struct FileStatus(FileKind Kind, UnixFileMode Mode, uint OwnerUid, long Size, FileIdentity Identity)
{
    private const int TypeMask = 0xF000;

    /// <summary>
    /// The status of <paramref name="path"/>, or null when it does not exist. Follows a symbolic link, as opening the
    /// path does, unless <paramref name="followLink"/> is false: then a link is reported as one.
    /// </summary>
    /// <exception cref="IOException">statx failed for another reason (permission denied on a directory on the way, …).</exception>
    public static FileStatus? Of(string path, bool followLink = true)
    {
        Span<byte> buffer = stackalloc byte[Libc.StatxBufferSize];
        const uint Fields = Libc.StatxType | Libc.StatxMode | Libc.StatxUid | Libc.StatxInode | Libc.StatxSize;
        if (Libc.Statx(Libc.AtFdCwd, path, followLink ? 0 : Libc.AtSymlinkNoFollow, Fields, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.NoSuchFile or Libc.NotADirectory)
                return null;
            throw new IOException($"cannot look at '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var mode = MemoryMarshal.Read<ushort>(buffer[Libc.StatxModeOffset..]);
        return new FileStatus(
            KindOf(mode & TypeMask),
            (UnixFileMode)(mode & 0xFFF),
            MemoryMarshal.Read<uint>(buffer[Libc.StatxUidOffset..]),
            MemoryMarshal.Read<long>(buffer[Libc.StatxSizeOffset..]),
            new FileIdentity(
                MemoryMarshal.Read<uint>(buffer[Libc.StatxDeviceMajorOffset..]),
                MemoryMarshal.Read<uint>(buffer[Libc.StatxDeviceMinorOffset..]),
                MemoryMarshal.Read<ulong>(buffer[Libc.StatxInodeOffset..])));
    }

    /// <summary>The uid this process acts as when it opens files.</summary>
    public static uint EffectiveUserId => Libc.GetEffectiveUserId();

    private static FileKind KindOf(int type) => type switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.SymbolicLink,
        0x1000 => FileKind.Fifo,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xC000 => FileKind.Socket,
        _ => FileKind.Other,
    };
}

/// <summary>A file's identity: the device it is on and its inode.</summary>
public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode);

public enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}

public static class FileKindNames
{
    /// <summary>The kind in an operator's words: "regular file", "directory", "FIFO", "device" …</summary>
    public static string Describe(this FileKind kind) => kind switch
    {
        FileKind.Regular => "regular file",
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "symbolic link",
        FileKind.Fifo => "FIFO",
        FileKind.CharacterDevice or FileKind.BlockDevice => "device",
        FileKind.Socket => "socket",
        _ => "special file",
    };
}
