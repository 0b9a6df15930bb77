using System.Net;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks of routed services against the rest of the file: every routed address belongs to exactly one service
/// and to no tunnel, the hub's tunnel carries its family, its sites run the agent (which holds the address),
/// and in a hub pair the provider has a moving next hop to route it through.
/// </summary>
internal static class RoutedServiceRules
{
    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, HubPairSettings? pair, ConfigErrorSink errors)
    {
        var hub = hubs.Count > 0 ? hubs[0] : null;
        var siteModes = sites.Where(s => s.Name is not null).DistinctBy(s => s.Name!.Value).ToDictionary(s => s.Name!.Value, s => s.Mode);
        foreach (var service in services.Where(s => s.IsRouted))
        {
            if (pair is not null)
                CheckPair(service, services, pair, errors);

            foreach (var reference in service.Sites)
            {
                if (siteModes.TryGetValue(reference.Value, out var mode) && mode == SiteMode.Snat)
                {
                    errors.Report(reference.Node, $"site '{reference.Value}' runs no agent (mode: snat), but routed {service.DisplayName} needs the agent to hold its addresses",
                        "run the agent on that site, or leave it out of this service");
                }
            }

            foreach (var prefix in service.RoutedPrefixes)
                CheckPrefix(prefix, service, services, hub, errors);
        }
    }

    /// <summary>
    /// In a pair the provider routes the addresses to a next hop that keepalived moves: a VIP of the pair, in each
    /// family the service has (see docs/configuration.md, "Routed services"). A provider-moved pair routes each VIP
    /// to one hub through its API, and the hook is not told about routed addresses.
    /// </summary>
    private static void CheckPair(ServiceDraft service, IReadOnlyList<ServiceDraft> services, HubPairSettings pair, ConfigErrorSink errors)
    {
        if (pair.VipMover == VipMover.Provider)
        {
            errors.Report(service.ModeNode ?? service.Node, $"routed {service.DisplayName} needs hub_pair.vip_mover: arp: the provider hook moves VIPs, not routed addresses",
                "use mode: dnat for this service, or vip_mover: arp with a VIP as the routed addresses' next hop");
            return;
        }

        foreach (var family in service.RoutedPrefixes.Select(p => p.Value.BaseAddress.AddressFamily).Distinct())
        {
            if (services.Any(other => other.Vips.Any(v => v.Value.AddressFamily == family)))
                continue;
            var name = AddressSyntax.FamilyName(service.RoutedPrefixes.First(p => p.Value.BaseAddress.AddressFamily == family).Value.BaseAddress);
            errors.Report(service.ModeNode ?? service.Node, $"routed {service.DisplayName} has {name} addresses, but the hub pair holds no {name} VIP for the provider to route them through",
                $"give a DNAT service an {name} VIP: keepalived moves it with the active hub, and the provider routes the addresses via it");
        }
    }

    private static void CheckPrefix(Located<IPNetwork> prefix, ServiceDraft service, IReadOnlyList<ServiceDraft> services, HubDraft? hub, ConfigErrorSink errors)
    {
        var family = prefix.Value.BaseAddress.AddressFamily;
        if (hub?.Tunnel is { } tunnel)
        {
            if (tunnel.NetworkOf(family) is not { } network)
            {
                var name = AddressSyntax.FamilyName(prefix.Value.BaseAddress);
                errors.Report(prefix.Node, $"{prefix.Value} of {service.DisplayName} is {name}, but the hub's tunnel has no {name} network, so the sites could not route its replies back",
                    $"add {name.ToLowerInvariant()} to the tunnel of {hub.DisplayName}, or remove this address");
                return;
            }

            if (RoutedServiceReader.Overlap(network, prefix.Value))
            {
                errors.Report(prefix.Node, $"{prefix.Value} of {service.DisplayName} overlaps the tunnel network {network}",
                    "use public addresses; the tunnel network is reserved for hub and site tunnel addresses");
                return;
            }
        }

        foreach (var other in services)
        {
            if (other.Vips.FirstOrDefault(v => prefix.Value.Contains(v.Value)) is { } vip)
            {
                errors.Report(prefix.Node, $"{prefix.Value} of {service.DisplayName} contains VIP {vip.Value} of {other.DisplayName} (line {vip.Node.Start.Line})",
                    "a routed address belongs to one routed service and is no VIP");
                return;
            }

            // Each pair once: the later address reports the earlier one.
            if (other.RoutedPrefixes.FirstOrDefault(p => p.Node.Start.Index < prefix.Node.Start.Index && !ReferenceEquals(other, service) && RoutedServiceReader.Overlap(p.Value, prefix.Value)) is { } earlier)
            {
                errors.Report(prefix.Node, $"{prefix.Value} of {service.DisplayName} overlaps {earlier.Value} of {other.DisplayName} (line {earlier.Node.Start.Line})",
                    "route each address to one service");
                return;
            }
        }
    }
}
