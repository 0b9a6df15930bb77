namespace Keepwire.Lab;

/// <summary>Where one lab keeps its files: everything under one directory, so removing it removes them all.</summary>
public sealed class LabPaths(string stateRoot, string prefix)
{
    public string Prefix { get; } = prefix;

    public string Root { get; } = Path.Combine(stateRoot, prefix);

    public string ConfigFile => Path.Combine(Root, "keepwire.yaml");

    /// <summary>Records how the lab was made, so a later process (<c>keepwire lab status</c>) can open it.</summary>
    public string ManifestFile => Path.Combine(Root, "lab.json");

    public string KeysDirectory => Path.Combine(Root, "keys");

    public string PidsDirectory => Path.Combine(Root, "pids");

    public string LogsDirectory => Path.Combine(Root, "logs");

    public string SitesDirectory => Path.Combine(Root, "sites");

    /// <summary>The UDP echo server every site address runs (one process per address).</summary>
    public string EchoServerProgram => Path.Combine(Root, "echo-server");

    /// <summary>A one-answer program for socat's EXEC: prints the line the echo server answers with, for the peer in SOCAT_PEERADDR.</summary>
    public string EchoReplyProgram => Path.Combine(Root, "echo-reply");

    public string PrivateKeyFile(string node) => Path.Combine(KeysDirectory, node + ".key");

    public string PublicKeyFile(string node) => Path.Combine(KeysDirectory, node + ".pub");

    public string PidFile(string process) => Path.Combine(PidsDirectory, process + ".pid");

    public string LogFile(string process) => Path.Combine(LogsDirectory, process + ".log");

    /// <summary>The <c>--state-dir</c> of a daemon.</summary>
    public string NodeStateDirectory(string node) => Path.Combine(Root, node);

    /// <summary>The <c>--socket</c> of a daemon (its control API).</summary>
    public string NodeSocket(string node) => Path.Combine(Root, node + ".sock");

    /// <summary>nginx's config, pid, logs and temp files of one site.</summary>
    public string WebServerDirectory(string site) => Path.Combine(SitesDirectory, site);

    /// <summary>
    /// While this file exists the site's local check fails (the lab's config checks that it does
    /// not): how a test makes a site report itself unhealthy while everything the hub probes works.
    /// </summary>
    public string LocalCheckFlagFile(string site) => Path.Combine(SitesDirectory, site + ".local-check-fails");

    /// <summary>The per-namespace files <c>ip netns exec</c> bind-mounts over /etc (the lab's /etc/hosts).</summary>
    public static string EtcNetnsDirectory(string namespaceName) => Path.Combine("/etc/netns", namespaceName);
}
