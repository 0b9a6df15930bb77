using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// What one of a site's tunnels should look like: the WireGuard interface towards one hub and everything
/// that routes through it. Pure; <see cref="SiteNetworkReconciler"/> makes the kernel match it.
/// </summary>
/// <param name="Addresses">The site's tunnel addresses on this interface.</param>
/// <param name="HubRoutes">Routes in <c>main</c> that reach this hub through this interface (a pair only).</param>
/// <param name="ReturnTable">The routing table the return path through this interface uses.</param>
/// <param name="ReturnRoutes">The return table's routes: the default route through this interface.</param>
/// <param name="ReturnRules">The rules that send replies to <see cref="ReturnTable"/>.</param>
/// <param name="ReturnMark">In a pair, the mark of connections that arrived through this interface; null with one hub.</param>
internal sealed record SiteTunnelPlan(
    HubNode Hub,
    string Interface,
    IReadOnlyList<InterfaceAddress> Addresses,
    IReadOnlyList<RouteEntry> HubRoutes,
    int ReturnTable,
    IReadOnlyList<RouteEntry> ReturnRoutes,
    IReadOnlyList<PolicyRule> ReturnRules,
    FirewallMark? ReturnMark)
{
    /// <summary>One plan per hub, in the hubs' order.</summary>
    public static IReadOnlyList<SiteTunnelPlan> For(ClusterConfig config, SiteNode site) =>
        config.Hubs.Count == 1 ? [SingleHub(config, site, config.Hubs[0])] : [.. config.Hubs.Select((hub, index) => OfPair(site, hub, index))];

    /// <summary>The public prefixes of the routed services <paramref name="site"/> may serve: it holds them all (see <see cref="SiteNetworkReconciler"/>).</summary>
    public static IReadOnlyList<IPNetwork> RoutedPrefixes(ClusterConfig config, SiteNode site) =>
        [.. config.Services.Where(s => s.IsRouted && s.Sites.Contains(site.Name)).SelectMany(s => s.RoutedPrefixes).Distinct()];

    /// <summary>
    /// One hub, exactly as before pairs existed: the addresses carry the tunnel network's prefix (the whole
    /// network routes through the tunnel) and replies are recognised by their source address: the tunnel
    /// addresses, and the routed services' public prefixes, whose replies must never take the site's own uplink.
    /// </summary>
    private static SiteTunnelPlan SingleHub(ClusterConfig config, SiteNode site, HubNode hub)
    {
        var name = site.InterfaceFor(hub);
        var table = SiteNetworkReconciler.ReturnPath.TableFor(name);
        return new SiteTunnelPlan(
            hub,
            name,
            SiteNetworkReconciler.TunnelAddresses(site, hub),
            [],
            table,
            SiteNetworkReconciler.ReturnPath.Routes(site.Tunnel, name),
            [
                .. SiteNetworkReconciler.ReturnPath.Rules(site.Tunnel, name),
                .. SiteNetworkReconciler.ReturnPath.RoutedRules(RoutedPrefixes(config, site), name),
                .. ForwardedRules(config, site, table),
            ],
            null);
    }

    /// <summary>
    /// A router with one hub: <c>fwmark M lookup T</c>, for the replies of its LAN servers, which carry the mark of the
    /// connection the tunnel brought (<see cref="SiteReturnPathSpec"/>) but not the tunnel address as their source.
    /// </summary>
    private static IEnumerable<PolicyRule> ForwardedRules(ClusterConfig config, SiteNode site, int table)
    {
        if (LanForward.For(config, site).Count == 0)
            return [];
        var mark = SiteNetworkReconciler.ReturnPath.MarkFor(0);
        return site.Tunnel.All.Select(address => PolicyRule.FromMark(mark, table, SiteNetworkReconciler.ReturnPath.RulePriority, address.AddressFamily));
    }

    /// <summary>
    /// A pair: the same host addresses on both interfaces (so the source address no longer tells the tunnels
    /// apart), a host route to each hub through its own interface, and the return path chosen by the mark of
    /// the connection, which records the interface it last arrived on. That covers the replies from routed
    /// addresses too: a <c>from &lt;prefix&gt;</c> rule could name only one of the two tunnels.
    /// </summary>
    private static SiteTunnelPlan OfPair(SiteNode site, HubNode hub, int hubIndex)
    {
        var name = site.InterfaceFor(hub);
        var table = SiteNetworkReconciler.ReturnPath.TableFor(name);
        var mark = SiteNetworkReconciler.ReturnPath.MarkFor(hubIndex);
        var families = site.Tunnel.All.Select(address => address.AddressFamily).ToList();
        return new SiteTunnelPlan(
            hub,
            name,
            [.. site.Tunnel.All.Select(address => InterfaceAddress.Host(address))],
            [.. hub.Tunnel.All.Where(address => families.Contains(address.AddressFamily)).Select(address => new RouteEntry(HostNetwork(address), name))],
            table,
            SiteNetworkReconciler.ReturnPath.Routes(site.Tunnel, name),
            [.. families.Select(family => PolicyRule.FromMark(mark, table, SiteNetworkReconciler.ReturnPath.RulePriority, family))],
            mark);
    }

    private static IPNetwork HostNetwork(IPAddress address) =>
        new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
}
