namespace Keepwire.Hub;

/// <summary>What <c>keepwire status</c> shows: the hub's view of every service and site.</summary>
public sealed record HubStatus(
    string Node,
    string ConfigPath,
    DateTimeOffset ConfigLoadedAt,
    DateTimeOffset? LastReconcileAt,
    string? LastError,
    IReadOnlyList<ServiceStatus> Services,
    IReadOnlyList<SiteStatus> Sites)
{
    /// <summary>This hub's part in a hub pair; null for a single hub.</summary>
    public Pair.PairStatus? Pair { get; init; }

    /// <summary>The last reload (a failed one names what failed; the hub then runs on with the config before it); null before any.</summary>
    public ReloadStatus? LastReload { get; init; }

    /// <summary>Why the decisions or the operator's intent are not saved right now (retried every pass), or null.</summary>
    public string? StateError { get; init; }

    /// <summary>The hub's own loop: how late it ran lately and how many probe results it could not count for it; null from an older hub.</summary>
    public HubLoopStatus? Loop { get; init; }

    /// <summary>The hub process's memory: resident, and what of it the garbage collector holds; null from an older hub.</summary>
    public HubMemoryStatus? Memory { get; init; }
}

/// <param name="MaxLagMilliseconds">The longest scheduling lag of the hub's loop-lag timer in the last one to two minutes.</param>
/// <param name="InconclusiveProbes">Timed-out probes not counted since start because the hub stalled during them.</param>
/// <param name="InconclusiveLiveness">Liveness losses not counted since start because the hub stalled during them.</param>
public sealed record HubLoopStatus(double MaxLagMilliseconds, long InconclusiveProbes, long InconclusiveLiveness = 0);

/// <param name="ResidentMib">The process's resident set (what <c>ps</c> shows as RSS).</param>
/// <param name="ManagedHeapMib">Objects on the managed heap after the last collection, live or not yet swept.</param>
/// <param name="ManagedCommittedMib">Memory the collector has committed for its heap, in use or kept for the next allocations.</param>
/// <param name="Gen0BudgetMib">
/// The most the collector lets the hub allocate between two collections (null when the runtime does not say). It
/// bounds the resident set of a busy hub: left to the runtime it follows the CPU cache, 128 MiB on a machine with a
/// 300 MiB L3, so Keepwire.Cli.csproj sets it.
/// </param>
/// <param name="AllocatedMib">Everything allocated on the managed heap since start: its rate is what the collections follow.</param>
/// <param name="Collections">Collections since start, of generation 0, 1 and 2.</param>
public sealed record HubMemoryStatus(double ResidentMib, double ManagedHeapMib, double ManagedCommittedMib, double? Gen0BudgetMib, double AllocatedMib, IReadOnlyList<int> Collections)
{
    private const double Mib = 1024 * 1024;

    /// <summary>Fixed when the runtime starts: read once, not with every status.</summary>
    private static readonly double? Gen0Budget =
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) && value is long bytes and > 0 ? Round(bytes) : null;

    /// <summary>This process now.</summary>
    public static HubMemoryStatus OfThisProcess()
    {
        var gc = GC.GetGCMemoryInfo();
        return new(Round(Environment.WorkingSet), Round(gc.HeapSizeBytes), Round(gc.TotalCommittedBytes), Gen0Budget, Round(GC.GetTotalAllocatedBytes()),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)]);
    }

    private static double Round(long bytes) => Math.Round(bytes / Mib, 1);
}

/// <param name="Succeeded">False: nothing of the new config was taken, the hub runs on with the previous one.</param>
/// <param name="Message">What was reloaded, or every reason it was rejected.</param>
public sealed record ReloadStatus(DateTimeOffset At, bool Succeeded, string Message);

/// <param name="ServingSite">Null when no site may serve (the service's VIP ports are then not forwarded).</param>
/// <param name="Reason">Why this site, in words: "highest priority", "pinned by operator", "http check failed 3×: …".</param>
/// <param name="PinnedSite">The site the operator pinned the service to (<c>keepwire failover SERVICE --to SITE</c>), or null; <c>keepwire unpin SERVICE</c> hands it back to its policy.</param>
public sealed record ServiceStatus(
    string Name,
    string? ServingSite,
    string Reason,
    DateTimeOffset? Since,
    long Epoch,
    string? PinnedSite = null)
{
    /// <summary>The sites that may serve it, best first (priority, then name): the first is its first choice.</summary>
    public IReadOnlyList<string> Sites { get; init; } = [];

    /// <summary>"dnat" or "routed".</summary>
    public string Mode { get; init; } = "dnat";

    /// <summary>The public addresses clients reach it at: a DNAT service's VIPs, a routed service's prefixes.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>The LAN server the serving site forwards it to (a router site, <c>backends:</c>); null when the site serves it itself.</summary>
    public string? Backend { get; init; }

    /// <summary>Not served by its first-choice site: failed over, drained, pinned elsewhere, or not served at all.</summary>
    public bool IsOffFirstChoice => ServingSite is null || (Sites.Count > 0 && ServingSite != Sites[0]);
}

/// <param name="HandshakeAgeSeconds">Seconds since the site's last WireGuard handshake with this hub; null if never.</param>
public sealed record SiteStatus(
    string Name,
    int Priority,
    string Mode,
    IReadOnlyList<string> TunnelAddresses,
    string? Endpoint,
    double? HandshakeAgeSeconds,
    bool Drained,
    string Health,
    IReadOnlyList<CheckStatus> Checks)
{
    /// <summary>The hub's liveness stream to this site; null when none runs (liveness off, an older hub, a <c>mode: snat</c> site on a hub without a raw ICMP socket).</summary>
    public SiteLiveness? Liveness { get; init; }

    /// <summary>The words <see cref="Health"/> starts with when every service's checks pass at this site.</summary>
    public const string HealthyWord = "healthy";

    /// <summary>What <see cref="Health"/> says for a site that serves no service.</summary>
    public const string NoServicesWords = "no services";

    /// <summary>Drained, or some service's checks do not pass here.</summary>
    public bool IsTroubled => Drained || (Health != HealthyWord && Health != NoServicesWords);
}

/// <param name="State">"up", "lost", or "waiting" (never answered since the stream began: not judged, its checks alone decide).</param>
/// <param name="RttMilliseconds">The smoothed round-trip time through the tunnel; null before the first answer.</param>
/// <param name="LossPercent">Datagrams never answered, of those sent.</param>
/// <param name="Dropped">Answers dropped: bad length or magic, unknown or repeated sequence numbers.</param>
public sealed record SiteLiveness(string State, double? RttMilliseconds, double LossPercent, long Sent, long Answered, long Dropped)
{
    /// <summary>"up 0.4 ms, 0.0 % loss".</summary>
    public override string ToString() =>
        RttMilliseconds is { } rtt ? $"{State} {rtt:0.0} ms, {LossPercent:0.0} % loss" : State;
}

/// <param name="Name">"service/check".</param>
/// <param name="State">healthy, unhealthy, unknown, or stale (no result for too long: are the probes running?).</param>
public sealed record CheckStatus(string Name, string State, string? Detail)
{
    /// <summary>The service part of <see cref="Name"/> (service names cannot hold a '/').</summary>
    public string Service => Name.Split('/', 2)[0];
}
