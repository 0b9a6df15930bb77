namespace Keepwire.Lab;

/// <summary>What <see cref="NetworkLab.UpAsync"/> builds.</summary>
public sealed record LabOptions
{
    public const string DefaultStateRoot = "/run/keepwire-lab";

    /// <summary>Starts every name the lab creates; at most <see cref="LabNaming.MaxPrefixLength"/> characters.</summary>
    public string Prefix { get; init; } = LabNaming.NewPrefix();

    /// <summary>Each lab keeps its keys, config, pids and logs in <c>{StateRoot}/{Prefix}</c>.</summary>
    public string StateRoot { get; init; } = DefaultStateRoot;

    /// <summary>
    /// The command that runs keepwire, as a program and its leading arguments (for example
    /// <c>["dotnet", "/path/keepwire.dll"]</c>); the lab appends <c>hub …</c> or <c>site …</c>.
    /// Defaults to the keepwire beside this program (<see cref="KeepwireBesideThisProgram"/>).
    /// </summary>
    public IReadOnlyList<string> KeepwireCommand { get; init; } = KeepwireBesideThisProgram();

    /// <summary>
    /// The command that runs the hub daemons, when not <see cref="KeepwireCommand"/>: for example the packaged keepwire,
    /// compiled ahead of time, so a bench measures the hub that ships while the sites and the lab stay on the build.
    /// </summary>
    public IReadOnlyList<string>? HubCommand { get; init; }

    /// <summary>
    /// Two hubs (hub1, hub2) sharing the VIPs through keepalived instead of one hub; every site dials
    /// both. The lab puts no VIP anywhere: the hub daemons' keepalived does.
    /// </summary>
    public bool HubPair { get; init; }

    /// <summary>
    /// In a hub pair, the hubs also sync conntrack state (<c>hub_pair: { conntrackd: true }</c>), so
    /// established connections can survive a hub failover. Only with <see cref="HubPair"/>; off by
    /// default, so the default lab shows the shipped defaults.
    /// </summary>
    public bool Conntrackd { get; init; }

    /// <summary>
    /// In a hub pair, no shared layer 2: each hub on its own link to a provider router that routes the VIPs, and the
    /// hubs move them with the generic HTTP provider hook through a fake provider API (<c>vip_mover: provider</c>).
    /// </summary>
    public bool ProviderRouted { get; init; }

    /// <summary>
    /// alpha is also a router in front of a LAN with two servers (lan1, lan2): the config adds two services that alpha
    /// forwards to them (<c>backends:</c>) and bravo serves itself (<see cref="LabTopology.Lan"/>).
    /// </summary>
    public bool SiteRouter { get; init; }

    /// <summary>Start the hub and site daemons and wait until every site has a handshake with the hub (each hub, in a pair).</summary>
    public bool StartDaemons { get; init; }

    /// <summary>How long to wait for the daemons to come up before failing with their logs.</summary>
    public TimeSpan DaemonStartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Leave a lab that failed to come up in place (for a look at its logs and namespaces)
    /// instead of tearing it down; remove it later with <c>keepwire lab down</c>.
    /// </summary>
    public bool KeepOnFailure { get; init; }

    /// <summary>Size of the file served at <c>/big</c>, for drain and throughput runs.</summary>
    public long BigFileBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>
    /// The keepwire built into the same directory as this program (a development build of src/Keepwire.Cli puts
    /// keepwire-lab beside keepwire), run the way this process runs, so <c>keepwire lab up</c> starts daemons of
    /// the same build. Empty when there is none.
    /// </summary>
    public static IReadOnlyList<string> KeepwireBesideThisProgram()
    {
        var directory = AppContext.BaseDirectory;
        var assembly = Path.Combine(directory, "keepwire.dll");
        if (!File.Exists(assembly))
            return [];
        // Under `dotnet keepwire-lab.dll` the process is the dotnet host: it runs keepwire.dll too.
        if (Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            return [host, assembly];
        var apphost = Path.Combine(directory, "keepwire");
        return File.Exists(apphost) ? [apphost] : [];
    }
}
