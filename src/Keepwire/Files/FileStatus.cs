using System.Runtime.InteropServices;

namespace Keepwire.Files;

/// <summary>What a file is, as statx(2) tells it (following symlinks, like opening the path does).</summary>
/// <param name="Kind">Regular file, directory, FIFO, device …</param>
/// <param name="Mode">The permission bits.</param>
/// <param name="OwnerUid">The numeric owner; .NET has no API for it.</param>
/// <param name="Size">In bytes; meaningful for regular files only.</param>
public readonly record struct FileStatus(FileKind Kind, UnixFileMode Mode, uint OwnerUid, long Size)
{
    private const int TypeMask = 0xF000;

    /// <summary>The status of <paramref name="path"/>, or null when it does not exist.</summary>
    /// <exception cref="IOException">statx failed for another reason (permission denied on a directory on the way, …).</exception>
    public static FileStatus? Of(string path)
    {
        Span<byte> buffer = stackalloc byte[Libc.StatxBufferSize];
        if (Libc.Statx(Libc.AtFdCwd, path, 0, Libc.StatxType | Libc.StatxMode | Libc.StatxUid | Libc.StatxSize, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int NoSuchFile = 2, NotADirectory = 20;
            if (errno is NoSuchFile or NotADirectory)
                return null;
            throw new IOException($"cannot look at '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var mode = MemoryMarshal.Read<ushort>(buffer[Libc.StatxModeOffset..]);
        return new FileStatus(
            KindOf(mode & TypeMask),
            (UnixFileMode)(mode & 0xFFF),
            MemoryMarshal.Read<uint>(buffer[Libc.StatxUidOffset..]),
            MemoryMarshal.Read<long>(buffer[Libc.StatxSizeOffset..]));
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
