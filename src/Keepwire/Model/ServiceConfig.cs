using System.Net;

namespace Keepwire.Model;

/// <summary>A public service: VIPs and ports, the sites that may serve it, and how it chooses among them.</summary>
/// <param name="Vips">Public addresses, IPv4 and/or IPv6.</param>
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
}
