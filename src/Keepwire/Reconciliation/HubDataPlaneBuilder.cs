using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>Derives what the hub's forwarding table must hold from the config and the current serving decisions.</summary>
public static class HubDataPlaneBuilder
{
    /// <param name="servingSiteByService">Service name to the name of the site serving it now; a service without an entry is not forwarded.</param>
    public static HubDataPlane Build(ClusterConfig config, HubNode hub, IReadOnlyDictionary<string, string> servingSiteByService)
    {
        var rules = new List<ForwardingRule>();
        var routed = new List<RoutedPrefix>();
        foreach (var service in config.Services)
        {
            var site = ServingSite(config, service, servingSiteByService);
            if (service.IsRouted)
                routed.AddRange(service.RoutedPrefixes.Select(prefix => new RoutedPrefix(service.Name, prefix, service.AllowsAllPorts, service.Ports, site?.Name, site?.PublicKey)));
            else if (site is not null)
                rules.AddRange(RulesFor(service, site));
        }

        var snatBackends = config.Sites
            .Where(s => s.Mode == SiteMode.Snat)
            .SelectMany(s => s.Tunnel.All)
            .ToList();

        var input = config.HubPair is { } pair && config.PeerOf(hub)?.PairAddress is { } peer
            ? new HubInputPolicy(Reports.SiteReport.Port, pair.SyncPort, peer)
            : HubInputPolicy.SingleHub;
        return new HubDataPlane(hub.Interface, rules, snatBackends, hub.AllowForwardFrom, input) { Routed = routed };
    }

    private static SiteNode? ServingSite(ClusterConfig config, ServiceConfig service, IReadOnlyDictionary<string, string> servingSiteByService)
    {
        if (!servingSiteByService.TryGetValue(service.Name, out var siteName))
            return null;
        // A decision naming a site this snapshot does not know, or one not allowed to serve the
        // service, predates a reload: forwarding nowhere is safer than forwarding to a guess.
        return config.FindSite(siteName) is { } site && service.Sites.Contains(siteName) ? site : null;
    }

    private static IEnumerable<ForwardingRule> RulesFor(ServiceConfig service, SiteNode site)
    {
        foreach (var vip in service.Vips)
        {
            // A site without an address of the VIP's family cannot serve that VIP.
            if (TunnelAddressFor(site, vip.AddressFamily) is not { } backend)
                continue;
            foreach (var port in service.Ports)
                yield return new ForwardingRule(service.Name, vip, port.Protocol, port.First, port.Last, backend, port.IsRange ? port.First : port.TargetPort);
        }
    }

    private static IPAddress? TunnelAddressFor(SiteNode site, AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? site.Tunnel.IPv6 : site.Tunnel.IPv4;
}
