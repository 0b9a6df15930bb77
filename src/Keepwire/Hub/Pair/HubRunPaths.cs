using Keepwire.Adapters.Conntrackd;
using Keepwire.Adapters.Keepalived;

namespace Keepwire.Hub.Pair;

/// <summary>
/// Where a hub node keeps its runtime files: beside its control socket (/run/keepwire under systemd,
/// the lab's own directory in a lab), one name per node. Two hub processes on one machine (a lab, a
/// test) therefore never share keepalived's pid files or the daemon pid file keepalived watches.
/// </summary>
public sealed record HubRunPaths(string Directory, string Node)
{
    public static HubRunPaths For(HubDaemonOptions options) => For(options.SocketPath, options.NodeName);

    /// <param name="socketPath">The hub daemon's control socket (its --socket).</param>
    public static HubRunPaths For(string socketPath, string node) =>
        new(Path.GetDirectoryName(Path.GetFullPath(socketPath)) ?? "/run/keepwire", node);

    /// <summary>The daemon's pid: keepalived's liveness check reads it, so a dead daemon gives the VIPs up.</summary>
    public string DaemonPidFile => Path.Combine(Directory, $"{Node}.pid");

    /// <summary>Held by the daemon for its life: a second daemon for this node is refused before it touches the pid file.</summary>
    public string DaemonLockFile => Path.Combine(Directory, $"{Node}.lock");

    public KeepalivedPaths Keepalived => new(Path.Combine(Directory, $"keepalived-{Node}"));

    public ConntrackdPaths Conntrackd => new(Path.Combine(Directory, $"conntrackd-{Node}"));
}
