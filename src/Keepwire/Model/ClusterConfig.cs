namespace Keepwire.Model;

/// <summary>
/// The whole cluster as one validated, immutable snapshot. A reload builds a new
/// snapshot and swaps it in; nothing ever mutates one in place.
/// </summary>
/// <param name="SourcePath">The file it was read from, for messages.</param>
/// <param name="Hubs">One hub, or the two hubs of a VRRP pair (in file order).</param>
public sealed record ClusterConfig(
    string SourcePath,
    IReadOnlyList<HubNode> Hubs,
    IReadOnlyList<SiteNode> Sites,
    IReadOnlyList<ServiceConfig> Services)
{
    /// <summary>How the two hubs cooperate; non-null exactly when there are two hubs, with every default applied.</summary>
    public HubPairSettings? HubPair { get; init; }

    /// <summary>Where every node serves its Prometheus metrics; null: nowhere (the file has no <c>metrics:</c>).</summary>
    public MetricsSettings? Metrics { get; init; }

    /// <summary>Who hears about switches, sites going down or up, role changes and rejected reloads; empty: nobody.</summary>
    public IReadOnlyList<NotifyTarget> Notify { get; init; } = [];

    /// <summary>The per-site liveness stream (<c>liveness:</c>); on with its defaults when the file says nothing.</summary>
    public LivenessSettings Liveness { get; init; } = LivenessSettings.Default;

    /// <summary>The hub's web dashboard; null: none.</summary>
    public DashboardSettings? Dashboard { get; init; }

    public HubNode? FindHub(string name) => Hubs.FirstOrDefault(h => h.Name == name);

    public SiteNode? FindSite(string name) => Sites.FirstOrDefault(s => s.Name == name);

    public ServiceConfig? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);

    /// <summary>The other hub of the pair; null for a single hub.</summary>
    public HubNode? PeerOf(HubNode hub) => Hubs.Count == 2 ? Hubs.FirstOrDefault(h => h.Name != hub.Name) : null;

    /// <summary>Every service VIP, once each: a hub (or keepalived, in a pair) holds them all together, so one hub serves every service.</summary>
    public IReadOnlyList<System.Net.IPAddress> AllVips() => [.. Services.SelectMany(s => s.Vips).Distinct()];
}
