using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// One forward of a router site: connections arriving through a tunnel for <paramref name="Tunnel"/> and one of
/// <paramref name="Ports"/> go to <paramref name="Backend"/> on the site's LAN, port unchanged. Pure data, derived from
/// the config by <see cref="For"/>; <see cref="SiteRouterRules"/> renders it.
/// </summary>
/// <param name="Tunnel">The site's tunnel address in the backend's family: where the hub forwards the service's clients and checks.</param>
/// <param name="Ports">Merged and sorted, as an nft set wants them.</param>
/// <param name="Masquerade">The router also masquerades these connections to its own LAN address.</param>
internal sealed record LanForward(TransportProtocol Protocol, IPAddress Tunnel, IPAddress Backend, IReadOnlyList<(int First, int Last)> Ports, bool Masquerade)
{
    public bool IsIPv6 => Backend.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>
    /// Every forward <paramref name="site"/> needs: for each service with a backend there, each family the site has a
    /// tunnel address and the backend an address in, the service's ports at the site (after the hub's port mapping)
    /// and its checks' ports, so the hub's checks reach the LAN server as the clients do. One forward per protocol,
    /// family and server: two services behind the same server share it.
    /// </summary>
    public static IReadOnlyList<LanForward> For(ClusterConfig config, SiteNode site)
    {
        if (site.Mode != SiteMode.Agent)
            return [];
        var forwards = new List<(TransportProtocol Protocol, IPAddress Tunnel, IPAddress Backend, bool Masquerade, (int, int) Range)>();
        foreach (var service in config.Services.Where(s => !s.IsRouted && s.Sites.Contains(site.Name)))
        {
            if (service.BackendAt(site.Name) is not { } backend)
                continue;
            foreach (var tunnel in site.Tunnel.All)
            {
                if (backend.AddressOf(tunnel.AddressFamily) is not { } address)
                    continue;
                foreach (var (protocol, range) in SitePorts(service))
                    forwards.Add((protocol, tunnel, address, backend.Masquerade, range));
            }
        }

        return [.. forwards
            .GroupBy(f => (f.Protocol, f.Tunnel, f.Backend, f.Masquerade))
            .Select(g => new LanForward(g.Key.Protocol, g.Key.Tunnel, g.Key.Backend, PortRanges.Merge(g.Select(f => f.Range)), g.Key.Masquerade))
            .OrderBy(f => f.IsIPv6).ThenBy(f => f.Protocol).ThenBy(f => f.Backend.ToString(), StringComparer.Ordinal)];
    }

    /// <summary>What the hub sends a service to at a site's tunnel address: its ports after the mapping, and its checks' ports.</summary>
    private static IEnumerable<(TransportProtocol, (int First, int Last))> SitePorts(ServiceConfig service) =>
        [
            .. service.Ports.Select(port => (port.Protocol, port.SiteRange)),
            .. service.Checks.Select(check => check.SitePort).OfType<(TransportProtocol Protocol, int Port)>().Select(p => (p.Protocol, (p.Port, p.Port))),
        ];
}
