using System.Net;

namespace Keepwire.Configuration.Parsing;

/// <summary>Checks of services against the rest of the file: site references, VIPs against tunnel addresses, port conflicts.</summary>
internal static class ServiceRules
{
    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        // In a pair both hubs share the tunnel network (HubPairRules), so the first hub's stands for it.
        var hub = hubs.Count > 0 ? hubs[0] : null;
        var siteNames = sites.Where(s => s.Name is not null).Select(s => s.Name!.Value).ToList();
        var hubNames = hubs.Where(h => h.Name is not null).Select(h => h.Name!.Value).ToHashSet();
        var tunnelOwners = TunnelOwners(hubs, sites);
        foreach (var service in services)
        {
            CheckSiteReferences(service, siteNames, hubNames, errors);
            CheckVips(service, hub, tunnelOwners, errors);
        }

        PortConflicts.Check(services, hubs, errors);
    }

    private static void CheckSiteReferences(ServiceDraft service, List<string> siteNames, HashSet<string> hubNames, ConfigErrorSink errors)
    {
        var seen = new HashSet<string>();
        foreach (var reference in service.Sites)
        {
            var name = reference.Value;
            if (hubNames.Contains(name))
            {
                errors.Report(reference.Node, $"'{name}' in sites of {service.DisplayName} is a hub, not a site", "list only names from 'sites:'");
            }
            else if (!siteNames.Contains(name))
            {
                var suggestion = KeySuggestions.Closest(name, siteNames);
                var hint = suggestion is not null ? $"did you mean '{suggestion}'?"
                    : siteNames.Count > 0 ? $"defined sites are {string.Join(", ", siteNames)}"
                    : "define the site under 'sites:'";
                errors.Report(reference.Node, $"{service.DisplayName} refers to undefined site '{name}'", hint);
            }
            else if (!seen.Add(name))
            {
                errors.Report(reference.Node, $"site '{name}' is listed twice in {service.DisplayName}", "remove the duplicate");
            }
        }
    }

    private static Dictionary<IPAddress, string> TunnelOwners(IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites)
    {
        var owners = new Dictionary<IPAddress, string>();
        foreach (var site in sites)
        {
            if (site.AssignedIPv4 is { } v4)
                owners.TryAdd(v4, site.DisplayName);
            if (site.AssignedIPv6 is { } v6)
                owners.TryAdd(v6, site.DisplayName);
        }

        foreach (var hub in hubs)
        {
            foreach (var address in new[] { hub.Tunnel?.IPv4, hub.Tunnel?.IPv6 })
            {
                if (address is not null)
                    owners[address.Value] = $"hub '{hub.Name?.Value}'";
            }
        }

        return owners;
    }

    private static void CheckVips(ServiceDraft service, HubDraft? hub, Dictionary<IPAddress, string> tunnelOwners, ConfigErrorSink errors)
    {
        foreach (var vip in service.Vips)
        {
            if (tunnelOwners.TryGetValue(vip.Value, out var owner))
            {
                errors.Report(vip.Node, $"VIP {vip.Value} of {service.DisplayName} is the tunnel address of {owner}",
                    "VIPs are public addresses on the hub; tunnel addresses are private to the WireGuard network");
                continue;
            }

            var network = hub?.Tunnel?.NetworkOf(vip.Value.AddressFamily);
            if (hub?.Tunnel is not null && network is null)
            {
                // Sites get tunnel addresses in the families of the hub's tunnel (TunnelAddressPlanner), and a VIP is
                // forwarded only to an address of its own family: this VIP would be held and never forwarded.
                var family = AddressSyntax.FamilyName(vip.Value);
                var familyKey = family.ToLowerInvariant();
                errors.Report(vip.Node, $"VIP {vip.Value} of {service.DisplayName} is {family}, but no site of it has an {family} tunnel address (the hub's tunnel has no {familyKey} network), so it would never be forwarded",
                    $"add {familyKey} to the tunnel of {hub.DisplayName}, or remove this VIP");
                continue;
            }

            if (network is { } tunnelNetwork && tunnelNetwork.Contains(vip.Value))
            {
                errors.Report(vip.Node, $"VIP {vip.Value} of {service.DisplayName} lies inside the tunnel network {tunnelNetwork}",
                    "use a public address; the tunnel network is reserved for hub and site tunnel addresses");
            }
        }
    }
}
