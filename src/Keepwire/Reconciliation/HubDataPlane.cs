using System.Net;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// One forwarding entry: traffic for <see cref="Vip"/> on these ports goes to <see cref="Backend"/>.
/// A single port may be mapped to another backend port; a range keeps its ports.
/// </summary>
public sealed record ForwardingRule(
    string Service,
    IPAddress Vip,
    TransportProtocol Protocol,
    int FirstPort,
    int LastPort,
    IPAddress Backend,
    int BackendPort)
{
    public bool IsRange => FirstPort != LastPort;
}

/// <summary>
/// Everything the hub's nftables table must express, derived from the config and the
/// current decisions. The reconciler makes the kernel match this, and nothing else.
/// </summary>
/// <param name="TunnelInterface">The hub's WireGuard interface: forwarded traffic leaves through it.</param>
/// <param name="Rules">The forwarding entries of every service, for its currently serving site.</param>
/// <param name="SnatBackends">Tunnel addresses of sites without the agent: traffic to them is masqueraded.</param>
/// <param name="AllowForwardFrom">Sources allowed to reach tunnel addresses without DNAT.</param>
/// <param name="Input">What the hub itself accepts from the tunnel and from the peer hub; null: a single hub's.</param>
public sealed record HubDataPlane(
    string TunnelInterface,
    IReadOnlyList<ForwardingRule> Rules,
    IReadOnlyList<IPAddress> SnatBackends,
    IReadOnlyList<IPNetwork> AllowForwardFrom,
    HubInputPolicy? Input = null)
{
    /// <summary>The routed services' prefixes, each with what the filter lets through and the site it is routed to now.</summary>
    public IReadOnlyList<RoutedPrefix> Routed { get; init; } = [];

    /// <summary>Whether <paramref name="other"/> asks for exactly the same table and routing (the lists compared element by element, in order).</summary>
    public bool SameAs(HubDataPlane other) =>
        TunnelInterface == other.TunnelInterface
        && Input == other.Input
        && Rules.SequenceEqual(other.Rules)
        && SnatBackends.SequenceEqual(other.SnatBackends)
        && AllowForwardFrom.SequenceEqual(other.AllowForwardFrom)
        && Routed.Count == other.Routed.Count
        && Routed.Zip(other.Routed).All(pair => pair.First.SameAs(pair.Second));
}

/// <summary>
/// One public prefix of a routed service: no NAT, the hub routes it into the tunnel and WireGuard hands it to
/// <see cref="SitePeer"/>, whose allowed IPs carry it. The filter part (ports) depends only on the config; the
/// peer is what a switch changes.
/// </summary>
/// <param name="Ports">What the hub's filter lets through besides ICMP; ignored when <paramref name="AllowsAllPorts"/>.</param>
/// <param name="Site">The site serving the service now; null when none does (the prefix still routes into the tunnel, where no peer takes it).</param>
/// <param name="SitePeer">That site's WireGuard public key.</param>
public sealed record RoutedPrefix(
    string Service,
    IPNetwork Prefix,
    bool AllowsAllPorts,
    IReadOnlyList<PortRule> Ports,
    string? Site,
    WireGuardKey? SitePeer)
{
    public bool SameAs(RoutedPrefix other) =>
        Service == other.Service && Prefix == other.Prefix && AllowsAllPorts == other.AllowsAllPorts
        && Ports.SequenceEqual(other.Ports) && Site == other.Site && SitePeer == other.SitePeer;
}

/// <summary>
/// The ports the hub's own daemons receive on, and from where: site reports only through the tunnel; in a
/// pair, hub sync through the tunnel (relayed by the sites) and directly only from the peer's pair address.
/// </summary>
/// <param name="SyncPort">hub_pair.sync_port; null for a single hub.</param>
/// <param name="PeerPairAddress">The peer hub's pair_address; null for a single hub.</param>
public sealed record HubInputPolicy(int ReportPort, int? SyncPort, IPAddress? PeerPairAddress)
{
    public static HubInputPolicy SingleHub { get; } = new(Reports.SiteReport.Port, null, null);
}
