using System.Net;

namespace Keepwire.Model;

/// <summary>A public service: VIPs and ports, the sites that may serve it, and how it chooses among them.</summary>
/// <param name="Vips">Public addresses, IPv4 and/or IPv6, the hub DNATs; empty for a routed service.</param>
/// <param name="Ports">The forwarded ports; for a routed service, the ports its filter lets through (empty with <see cref="AllowsAllPorts"/>).</param>
/// <param name="Sites">Site names allowed to serve, in no particular order (priority decides).</param>
public sealed record ServiceConfig(
    string Name,
    IReadOnlyList<IPAddress> Vips,
    IReadOnlyList<PortRule> Ports,
    IReadOnlyList<string> Sites)
{
    /// <summary>Automatic failover (the default) or manual switching only.</summary>
    public ServicePolicy Policy { get; init; } = ServicePolicy.Failover;

    /// <summary>Preemption, damping and the no-healthy-site fallback; used only with <see cref="ServicePolicy.Failover"/>.</summary>
    public FailoverPolicyOptions Failover { get; init; } = FailoverPolicyOptions.Default;

    /// <summary>
    /// The probes run from the hub against every site. Empty means no probes: health then comes from
    /// the WireGuard handshake and the site agent's report only. The loader fills in a default check
    /// when the file omits <c>checks</c>; code that builds a ServiceConfig by hand gets none.
    /// </summary>
    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    /// <summary>DNAT to the serving site (the default) or the public addresses routed into its tunnel.</summary>
    public ServiceMode Mode { get; init; } = ServiceMode.Dnat;

    /// <summary>A routed service's public addresses: IPv4 /32s, IPv6 /128s or whole IPv6 prefixes; empty otherwise.</summary>
    public IReadOnlyList<IPNetwork> RoutedPrefixes { get; init; } = [];

    /// <summary>A routed service with <c>allow: all</c>: every protocol and port passes the hub's filter, not only <see cref="Ports"/>.</summary>
    public bool AllowsAllPorts { get; init; }

    public bool IsRouted => Mode == ServiceMode.Routed;

    /// <summary>
    /// Sites that are routers in front of the service's real server, by site name: the agent there forwards the
    /// service's ports to the <see cref="SiteBackend"/> on its LAN. A site without an entry serves the service itself.
    /// </summary>
    public IReadOnlyDictionary<string, SiteBackend> Backends { get; init; } = new Dictionary<string, SiteBackend>();

    /// <summary>The LAN server <paramref name="site"/> forwards this service to, or null when the site serves it itself.</summary>
    public SiteBackend? BackendAt(string site) => Backends.TryGetValue(site, out var backend) ? backend : null;
}
