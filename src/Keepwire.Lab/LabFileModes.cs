namespace Keepwire.Lab;

/// <summary>File modes the lab sets explicitly, so the result does not depend on the caller's umask.</summary>
internal static class LabFileModes
{
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rwxr-xr-x: also right for the programs the lab writes.</summary>
    public const UnixFileMode WorldReadableDirectory = OwnerOnlyDirectory
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public const UnixFileMode WorldReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void CreateWorldReadableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, WorldReadableDirectory);
    }
}
