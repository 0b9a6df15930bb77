using System.Text;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Replaces a file by writing a temporary file beside it and renaming it over the old one, so a reader
/// (keepalived re-reading its track file on inotify, or its config on SIGHUP) sees the old or the new
/// content, never half of it. The temporary file is created with the final mode, never loosened later.
/// </summary>
internal static class AtomicTextFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    public static async Task WriteAsync(string path, string content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
            await using (var stream = new FileStream(temporary, options))
                await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The file's text, or null when it does not exist.</summary>
    public static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
