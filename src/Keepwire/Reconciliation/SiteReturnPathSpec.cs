using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// What a site's table <see cref="SiteReturnPathTable"/> must do. Pure: derived from the config and the site's
/// tunnel plans.
/// </summary>
/// <param name="Interfaces">The site's WireGuard interfaces, one per hub.</param>
/// <param name="MarkedTunnels">In a hub pair, every tunnel with the mark of its connections; empty with one hub.</param>
/// <param name="Tunnel">The site's tunnel addresses: the source UDP replies must leave with.</param>
/// <param name="HubAddresses">Every hub's tunnel addresses: datagrams from them are probes, not clients.</param>
/// <param name="UdpPorts">The UDP ports (or ranges) the site's services are reached on at the site, merged and sorted.</param>
internal sealed record SiteReturnPathSpec(
    IReadOnlyList<string> Interfaces,
    IReadOnlyList<(string Interface, FirewallMark Mark)> MarkedTunnels,
    TunnelAddresses Tunnel,
    IReadOnlyList<IPAddress> HubAddresses,
    IReadOnlyList<(int First, int Last)> UdpPorts)
{
    /// <summary>A router site's forwards to the LAN servers behind it; empty for a site that serves everything itself.</summary>
    public IReadOnlyList<LanForward> Forwards { get; init; } = [];

    /// <summary>Nothing to do: one hub, no UDP service and no LAN server; the site needs no table (and no nftables).</summary>
    public bool IsEmpty => MarkedTunnels.Count == 0 && Forwards.Count == 0 && (UdpPorts.Count == 0 || !Tunnel.All.Any());

    public static SiteReturnPathSpec For(ClusterConfig config, SiteNode site, IReadOnlyList<SiteTunnelPlan> tunnels)
    {
        var forwards = LanForward.For(config, site);
        return new(
            [.. tunnels.Select(t => t.Interface)],
            // A router with one hub marks its connections too: a LAN server's reply has no source address the policy
            // rules know (conntrack restores the tunnel address only after routing), only the connection's mark.
            tunnels.All(t => t.ReturnMark is not null) ? [.. tunnels.Select(t => (t.Interface, t.ReturnMark!))]
                : forwards.Count > 0 ? [.. tunnels.Select((t, index) => (t.Interface, SiteNetworkReconciler.ReturnPath.MarkFor(index)))]
                : [],
            site.Tunnel,
            [.. config.Hubs.SelectMany(hub => hub.Tunnel.All)],
            // A site in snat mode sees the hub's address as the client's: its replies already go back through the tunnel.
            site.Mode == SiteMode.Agent ? UdpPortsServedBy(config, site.Name) : [])
        {
            Forwards = forwards,
        };
    }

    /// <summary>The site-side ports of every UDP port rule of the services <paramref name="site"/> may serve, overlaps merged.</summary>
    internal static IReadOnlyList<(int First, int Last)> UdpPortsServedBy(ClusterConfig config, string site)
    {
        var ranges = config.Services
            // A routed service's replies leave from its own address, which the site holds: nothing to rewrite.
            // Nor does one the site forwards to a LAN server: the server's replies are forwarded, not sent by the site.
            .Where(service => service.Sites.Contains(site) && !service.IsRouted && service.BackendAt(site) is null)
            .SelectMany(service => service.Ports)
            .Where(port => port.Protocol == TransportProtocol.Udp)
            .Select(port => port.IsRange ? (First: port.First, Last: port.Last) : (First: port.TargetPort, Last: port.TargetPort));
        // nft rejects overlapping elements in one anonymous set, and two services may share a port.
        return PortRanges.Merge(ranges);
    }
}
