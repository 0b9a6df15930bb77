using System.Text;
using Keepwire.Files;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Text files keepalived and conntrackd read (their configs, the track file, the daemon's pid file), replaced
/// through <see cref="AtomicFile"/>: a reader (keepalived re-reading its track file on inotify, or its config on
/// SIGHUP) sees the old or the new content, never half of it, and a power cut leaves one of the two.
/// </summary>
internal static class AtomicTextFile
{
    public const UnixFileMode OwnerOnly = AtomicFile.OwnerOnly;
    public const UnixFileMode WorldReadable = AtomicFile.WorldReadable;
    public const UnixFileMode OwnerOnlyDirectory = AtomicFile.OwnerOnlyDirectory;

    public static Task WriteAsync(string path, string content, UnixFileMode mode, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, Encoding.UTF8.GetBytes(content), mode, cancellationToken);

    /// <summary>The file's text, or null when it does not exist.</summary>
    public static string? ReadOrNull(string path)
    {
        // Absent is the usual answer for some callers (the join token store, polled twice a second while no site is
        // joining): say so without throwing. The catch is for a file removed between the two calls.
        if (!File.Exists(path))
            return null;
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
