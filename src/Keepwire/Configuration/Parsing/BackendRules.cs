using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks of the services' <c>backends:</c> against the rest of the file: the site is one of the service's sites and
/// runs the agent, the server has an address in every family the hub forwards the service to the site in, it is no
/// tunnel, VIP or routed address, and no port of a site's tunnel address is forwarded to two places.
/// </summary>
internal static class BackendRules
{
    /// <summary>Who a port of a site's tunnel address belongs to: a LAN server, or the site host itself (null).</summary>
    private sealed record Claim(TransportProtocol Protocol, int First, int Last, SiteBackend? Target, string Owner, int Line);

    /// <param name="pair">In a hub pair, its settings: the sites relay the hubs' sync on its port at their tunnel address.</param>
    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, HubPairSettings? pair, ConfigErrorSink errors)
    {
        var hub = hubs.Count > 0 ? hubs[0] : null;
        var siteModes = sites.Where(s => s.Name is not null).DistinctBy(s => s.Name!.Value).ToDictionary(s => s.Name!.Value, s => s.Mode);
        foreach (var service in services)
        {
            foreach (var backend in service.Backends)
                CheckBackend(backend, service, services, hub, siteModes, errors);
        }

        foreach (var site in siteModes.Keys)
            CheckSitePorts(site, services, pair, errors);
    }

    private static void CheckBackend(BackendDraft backend, ServiceDraft service, IReadOnlyList<ServiceDraft> services, HubDraft? hub, Dictionary<string, SiteMode?> siteModes, ConfigErrorSink errors)
    {
        var site = backend.Site.Value;
        if (!service.Sites.Any(s => s.Value == site))
        {
            var listed = service.Sites.Select(s => s.Value).ToList();
            var suggestion = KeySuggestions.Closest(site, listed);
            errors.Report(backend.Site.Node, $"'{BackendReader.Key}' of {service.DisplayName} names site '{site}', which is not one of its sites",
                suggestion is not null ? $"did you mean '{suggestion}'?" : $"add '{site}' to the service's sites, or remove this entry");
            return;
        }

        if (siteModes.TryGetValue(site, out var mode) && mode == SiteMode.Snat)
        {
            errors.Report(backend.Site.Node, $"site '{site}' runs no agent (mode: snat), but the backend of {service.DisplayName} there needs the agent to forward to it",
                "run the agent on that site (mode: agent), or forward on the device itself and leave this entry out");
            return;
        }

        foreach (var address in backend.Addresses)
            CheckAddress(address, service, services, hub, errors);

        // The hub forwards a VIP only to a tunnel address of its own family, and every site has one in each family of the hub's tunnel.
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            if (backend.AddressOf(family) is not null || hub?.Tunnel?.NetworkOf(family) is null)
                continue;
            if (service.Vips.FirstOrDefault(v => v.Value.AddressFamily == family) is { } vip)
            {
                var name = AddressSyntax.FamilyName(vip.Value);
                errors.Report(backend.Node, $"the backend of {service.DisplayName} at site '{site}' has no {name} address, but the hub forwards {name} VIP {vip.Value} (line {vip.Node.Start.Line}) to the site's {name} tunnel address",
                    $"add the LAN server's {name} address, e.g. {site}: [192.168.50.10, \"fd00:50::10\"], or give the {name} VIPs a service of their own");
            }
        }
    }

    private static void CheckAddress(Located<IPAddress> address, ServiceDraft service, IReadOnlyList<ServiceDraft> services, HubDraft? hub, ConfigErrorSink errors)
    {
        if (hub?.Tunnel?.NetworkOf(address.Value.AddressFamily) is { } network && network.Contains(address.Value))
        {
            errors.Report(address.Node, $"backend {address.Value} of {service.DisplayName} lies inside the tunnel network {network}",
                "write the LAN server's address on the router site's LAN; the tunnel network is reserved for hub and site tunnel addresses");
            return;
        }

        foreach (var other in services)
        {
            if (other.Vips.FirstOrDefault(v => v.Value.Equals(address.Value)) is { } vip)
            {
                errors.Report(address.Node, $"backend {address.Value} of {service.DisplayName} is VIP {vip.Value} of {other.DisplayName} (line {vip.Node.Start.Line})",
                    "write the LAN server's own address; the VIPs are the hub's");
                return;
            }

            if (other.RoutedPrefixes.FirstOrDefault(p => p.Value.Contains(address.Value)) is { } prefix)
            {
                errors.Report(address.Node, $"backend {address.Value} of {service.DisplayName} lies in routed {prefix.Value} of {other.DisplayName} (line {prefix.Node.Start.Line})",
                    "write the LAN server's own address; routed addresses are held by the serving site");
                return;
            }
        }
    }

    /// <summary>
    /// The router tells the services apart only by protocol and port on its tunnel address (the hub's DNAT has already
    /// replaced the VIP): a port of it can go to one LAN server, or stay with the site host, not both.
    /// </summary>
    private static void CheckSitePorts(string site, IReadOnlyList<ServiceDraft> services, HubPairSettings? pair, ConfigErrorSink errors)
    {
        var servedHere = services.Where(s => !s.IsRouted && s.Sites.Any(r => r.Value == site)).ToList();
        if (!servedHere.Any(s => s.Backends.Any(b => b.Site.Value == site)))
            return;

        var claims = new List<Claim>();
        if (pair is not null)
            claims.Add(new Claim(TransportProtocol.Udp, pair.SyncPort, pair.SyncPort, null, "the hub pair's sync, which the site relays (hub_pair.sync_port)", 0));
        foreach (var service in servedHere)
        {
            var backend = service.Backends.FirstOrDefault(b => b.Site.Value == site);
            var target = backend?.ToBackend();
            foreach (var (protocol, first, last, node) in SitePorts(service, backend))
            {
                var owner = target is null ? $"{service.DisplayName}, served by site '{site}' itself" : $"{service.DisplayName}, forwarded to {target}";
                var line = (int)node.Start.Line;
                if (claims.FirstOrDefault(c => c.Protocol == protocol && c.First <= last && first <= c.Last && c.Target != target) is { } taken)
                {
                    var proto = protocol == TransportProtocol.Tcp ? "tcp" : "udp";
                    var where = taken.Line > 0 ? $" (line {taken.Line})" : "";
                    errors.Report(node, $"{proto}/{(first == last ? $"{first}" : $"{first}-{last}")} at site '{site}' is taken by {taken.Owner}{where}, but belongs to {owner} too",
                        "the router tells services apart only by port on its tunnel address: map one of them to another port (e.g. ports: [tcp/80:8080]) and let its server listen there");
                    continue;
                }
                claims.Add(new Claim(protocol, first, last, target, owner, line));
            }
        }
    }

    /// <summary>
    /// The ports a service is reached on at a site's tunnel address: its ports after the hub's mapping, and its checks'
    /// ports (the hub probes those at the tunnel address too), each located where it is written.
    /// </summary>
    private static IEnumerable<(TransportProtocol Protocol, int First, int Last, YamlDotNet.RepresentationModel.YamlNode Node)> SitePorts(ServiceDraft service, BackendDraft? backend)
    {
        foreach (var port in service.Ports)
            yield return (port.Value.Protocol, port.Value.SiteRange.First, port.Value.SiteRange.Last, port.Node);

        // A check of a port the service already forwards claims nothing new.
        foreach (var (protocol, port) in (service.Checks ?? []).Select(c => c.SitePort).OfType<(TransportProtocol Protocol, int Port)>())
        {
            if (!service.Ports.Any(p => p.Value.Protocol == protocol && p.Value.SiteRange.First <= port && port <= p.Value.SiteRange.Last))
                yield return (protocol, port, port, backend?.Node ?? service.Node);
        }
    }
}
