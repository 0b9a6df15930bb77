namespace Keepwire.Adapters.Conntrackd;

/// <summary>
/// Where one conntrackd instance keeps its files. conntrackd's defaults (/var/lock/conntrack.lock,
/// /var/run/conntrackd.ctl) are global, and /run is shared by network namespaces: each instance
/// gets its own directory, and its lock file and control socket are named in its configuration.
/// </summary>
public sealed record ConntrackdPaths(string Directory)
{
    public string ConfigFile => Path.Combine(Directory, "conntrackd.conf");

    /// <summary>conntrackd creates it at start and refuses to start while it exists; a crash leaves it behind.</summary>
    public string LockFile => Path.Combine(Directory, "conntrackd.lock");

    /// <summary>The UNIX socket <c>conntrackd -C FILE -c/-f/-n/…</c> talks to the running daemon through.</summary>
    public string ControlSocket => Path.Combine(Directory, "conntrackd.ctl");
}
