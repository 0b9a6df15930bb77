namespace Keepwire.Adapters.Posix;

/// <summary>
/// Descriptors a keepwire process was started with beyond stdin, stdout and stderr. .NET marks what it opens itself
/// close-on-exec, but not what it inherited, and every program it runs (nft, wg, conntrack, ip; the lab's nginx and
/// daemons) would inherit those in turn: started as <c>flock LOCK keepwire lab up</c>, the lab's nginx held the lock
/// until the lab was removed. systemd passes none (keepwire uses no socket activation), so nothing is lost.
/// </summary>
public static class InheritedDescriptors
{
    /// <summary>Marks every open descriptor above stderr close-on-exec; kept open for this process itself. Never throws.</summary>
    public static void MarkCloseOnExec()
    {
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2)
                    _ = Libc.Fcntl(fd, Libc.SetDescriptorFlags, Libc.CloseOnExec);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: the descriptors stay as they came, which is how every earlier keepwire ran.
        }
    }
}
