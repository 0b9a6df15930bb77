using System.Net;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks of routed services against the rest of the file: every routed address belongs to exactly one service
/// and to no tunnel, the hub's tunnel carries its family, its sites run the agent (which holds the address),
/// and the cluster has one hub.
/// </summary>
internal static class RoutedServiceRules
{
    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        var hub = hubs.Count > 0 ? hubs[0] : null;
        var siteModes = sites.Where(s => s.Name is not null).DistinctBy(s => s.Name!.Value).ToDictionary(s => s.Name!.Value, s => s.Mode);
        foreach (var service in services.Where(s => s.IsRouted))
        {
            if (hubs.Count > 1)
            {
                errors.Report(service.ModeNode ?? service.Node, $"routed {service.DisplayName} needs a single hub: a hub pair does not move routed addresses yet",
                    "use mode: dnat (the default) with a hub pair, or run one hub");
            }

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
