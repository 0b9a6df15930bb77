using System.Globalization;

using Keepwire.Files;

namespace Keepwire.Adapters.Posix;

/// <summary>
/// An exclusive advisory lock (flock) on a lock file, held for a daemon's life: the one way to tell a
/// second daemon that a first one owns a socket or a pid file, before it touches them. The kernel drops
/// the lock when the holder dies, however it dies, so a stale lock file never blocks a restart; the file
/// itself stays (deleting a lock file races with the next locker). It holds the holder's pid, for people.
/// </summary>
public sealed class DaemonLock : IDisposable
{
    private readonly FileStream _file;

    private DaemonLock(FileStream file) => _file = file;

    /// <summary>Takes the lock at <paramref name="path"/> (creating the file), or throws naming the holder.</summary>
    /// <param name="what">What the lock guards, for the error ("the control socket /run/keepwire/control.sock").</param>
    /// <exception cref="DaemonAlreadyRunningException">Another process holds it.</exception>
    public static DaemonLock Acquire(string path, string what)
    {
        FileStream file;
        try
        {
            // FileShare.None: .NET takes flock(LOCK_EX) itself, and refuses while another process holds it.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new DaemonAlreadyRunningException(what, HolderOf(path));
        }

        try
        {
            // Explicitly too: .NET's own locking can be switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING).
            if (!Libc.TryLockExclusive(file.SafeFileHandle))
                throw new DaemonAlreadyRunningException(what, HolderOf(path));
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            file.Flush();
            return new DaemonLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pid holding a flock on <paramref name="path"/>, from /proc/locks (the lock file itself cannot be
    /// read while another process holds .NET's lock on it). Null when it cannot be told.
    /// </summary>
    internal static int? HolderOf(string path)
    {
        try
        {
            if (FileStatus.Of(path, followLink: false) is not { Identity: var identity })
                return null;
            var file = $"{identity.DeviceMajor:x2}:{identity.DeviceMinor:x2}:{identity.Inode}";
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                // "1: FLOCK  ADVISORY  WRITE 4242 00:1a:123456 0 EOF"
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 6 && fields[1] == "FLOCK" && fields[5] == file && int.TryParse(fields[4], CultureInfo.InvariantCulture, out var pid))
                    return pid;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>Another daemon holds what this one was about to take; it was left alone.</summary>
public sealed class DaemonAlreadyRunningException(string what, int? pid)
    : Exception($"{what} belongs to a running keepwire daemon ({(pid is { } p ? $"pid {p}" : "pid unknown")}); it was left alone: stop that daemon first, or give this one other paths (--socket)")
{
    public int? Pid { get; } = pid;
}
