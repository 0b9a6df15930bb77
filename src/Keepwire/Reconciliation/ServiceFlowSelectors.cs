using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Conntrack;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// Which conntrack entries an unplanned switch of one service away from one site deletes: the
/// flows the hub DNATed for that service to that site (its VIPs, protocols and ports, replies
/// from the site), and no others. Other services' flows to the same site stay, and so do the
/// hub's own probes, which go to the site's address, not to a VIP.
/// </summary>
public static class ServiceFlowSelectors
{
    /// <param name="services">Every configured service: who else forwards the same VIP and protocol.</param>
    public static IReadOnlyList<FlowSelector> For(IReadOnlyList<ServiceConfig> services, ServiceConfig service, TunnelAddresses site)
    {
        var selectors = new List<FlowSelector>();
        foreach (var vip in service.Vips)
        {
            // The hub NATs a VIP only to the site's address of the same family (HubDataPlaneBuilder).
            if ((vip.AddressFamily == AddressFamily.InterNetworkV6 ? site.IPv6 : site.IPv4) is not { } address)
                continue;
            foreach (var protocol in service.Ports.Select(p => p.Protocol).Distinct())
            {
                // Flows to this VIP over this protocol that reply from the site were DNATed there, and
                // only for a configured port: when no other service forwards the pair, they are all
                // this service's, and one filter without ports finds them in one pass over the table.
                if (!ForwardedByAnother(services, service, vip, protocol))
                {
                    selectors.Add(new FlowSelector(vip, protocol, address));
                    continue;
                }
                foreach (var port in service.Ports.Where(p => p.Protocol == protocol))
                    selectors.Add(new FlowSelector(vip, protocol, address, port.First, port.Last));
            }
        }
        return selectors;
    }

    private static bool ForwardedByAnother(IReadOnlyList<ServiceConfig> services, ServiceConfig service, IPAddress vip, TransportProtocol protocol) =>
        services.Any(other => other.Name != service.Name && other.Vips.Contains(vip) && other.Ports.Any(p => p.Protocol == protocol));
}
