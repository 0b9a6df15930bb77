using System.Globalization;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// The Keepwire daemon's pid file, which keepalived's daemon check (<c>pgrep -F</c>) reads every second.
/// The grace before the VIPs leave counts from the old daemon's death to the new pid being in this file,
/// so a starting hub daemon writes it first thing, before it loads its configuration.
/// </summary>
public static class DaemonPidFile
{
    /// <summary>In the hub unit's RuntimeDirectory (deploy/systemd/README.md names it too).</summary>
    public const string DefaultPath = "/run/keepwire/hub.pid";

    /// <summary>Writes this process's pid to <paramref name="path"/> atomically (mode 0644: pid files are public).</summary>
    public static Task WriteCurrentProcessAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicTextFile.WriteAsync(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n", AtomicTextFile.WorldReadable, cancellationToken);
}
