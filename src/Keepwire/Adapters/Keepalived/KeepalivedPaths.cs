namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Where one keepalived instance keeps its files. keepalived's default pid files
/// (/run/keepalived.pid, /run/keepalived_vrrp.pid) are global to the machine, and /run is shared by
/// network namespaces, so two instances on one machine (a lab, a test, a second hub process) would
/// take each other for "already running". Every instance gets its own directory and passes every pid
/// file on the command line.
/// </summary>
public sealed record KeepalivedPaths(string Directory)
{
    public string ConfigFile => Path.Combine(Directory, "keepalived.conf");

    /// <summary>A new configuration is written here and checked with <c>keepalived -t</c> before it replaces <see cref="ConfigFile"/>.</summary>
    public string CandidateConfigFile => Path.Combine(Directory, "keepalived.conf.new");

    /// <summary>The parent process: the one to signal (SIGHUP reloads, SIGTERM stops) and to adopt.</summary>
    public string PidFile => Path.Combine(Directory, "keepalived.pid");

    public string VrrpPidFile => Path.Combine(Directory, "vrrp.pid");

    /// <summary>Not used with <c>--vrrp</c>, but keepalived checks it at start-up, so it must not be the global default either.</summary>
    public string CheckersPidFile => Path.Combine(Directory, "checkers.pid");

    /// <summary>A sensible place for <see cref="KeepalivedSettings.TrackFile"/>.</summary>
    public string TrackFile => Path.Combine(Directory, "keepwire-health");

    public IEnumerable<string> PidFiles => [PidFile, VrrpPidFile, CheckersPidFile];
}
