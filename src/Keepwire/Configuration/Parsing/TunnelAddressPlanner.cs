using System.Net;
using System.Net.Sockets;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks the sites' explicit tunnel addresses against the hub's tunnel network and gives every site an
/// address in each family the hub has. In a pair both hubs share the network (<see cref="HubPairRules"/>);
/// the first hub's defines it, and both hubs' addresses are reserved.
/// </summary>
/// <remarks>
/// Allocation rule (documented in docs/configuration.md, and relied on for stable addresses): first every
/// explicit address and the hubs' own are reserved; then, in declaration order, each site without an explicit
/// address in a family gets the lowest free address from network+10 (IPv4, e.g. 10.77.0.10) or network+0x10
/// (IPv6, e.g. fd77::10) upward. Appending sites at the end therefore never moves an existing site.
/// </remarks>
internal static class TunnelAddressPlanner
{
    public const int FirstIPv4Offset = 10;
    public const int FirstIPv6Offset = 0x10;

    public static void Plan(IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        if (hubs.Count == 0 || hubs[0].Tunnel is not { } tunnel)
            return;
        var hub = hubs[0];
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var familyKey = family == AddressFamily.InterNetwork ? "ipv4" : "ipv6";
            if (tunnel.NetworkOf(family) is { } network)
                PlanFamily(HubAddresses(hubs, family), network, familyKey, sites, errors);
            else
                RejectFamily(hub, familyKey, sites, errors);
        }
    }

    /// <summary>Every hub's tunnel address of the family, with the hub it belongs to: all are reserved.</summary>
    private static Dictionary<IPAddress, string> HubAddresses(IReadOnlyList<HubDraft> hubs, AddressFamily family)
    {
        var owners = new Dictionary<IPAddress, string>();
        foreach (var hub in hubs)
        {
            if (hub.Tunnel?.AddressOf(family) is { } address)
                owners.TryAdd(address.Value, hub.DisplayName);
        }
        return owners;
    }

    private static void RejectFamily(HubDraft hub, string familyKey, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        var family = familyKey == "ipv4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        foreach (var site in sites)
        {
            if (site.ExplicitAddress(family) is { } address)
            {
                errors.Report(address.Node, $"{site.DisplayName} has a tunnel {familyKey} address, but the hub's tunnel has no {familyKey} network",
                    $"add {familyKey} to the tunnel of hub '{hub.Name?.Value}', or remove this address");
            }
        }
    }

    private static void PlanFamily(Dictionary<IPAddress, string> owners, IPNetwork network, string familyKey, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        var family = network.BaseAddress.AddressFamily;
        foreach (var site in sites)
        {
            if (site.ExplicitAddress(family) is not { } located)
                continue;
            var address = located.Value;
            if (!network.Contains(address))
            {
                errors.Report(located.Node, $"tunnel {familyKey} {address} of {site.DisplayName} is outside the hub's tunnel network {network}",
                    $"pick an address inside {network}, or omit it to have one allocated");
            }
            else if (!Networks.IsUsableHost(network, address, out var reason))
            {
                errors.Report(located.Node, $"tunnel {familyKey} of {site.DisplayName}: {reason}", "pick another address, or omit it to have one allocated");
            }
            else if (owners.TryGetValue(address, out var owner))
            {
                errors.Report(located.Node, $"tunnel {familyKey} {address} of {site.DisplayName} is already used by {owner}",
                    "every node needs its own tunnel address: pick another, or omit it to have one allocated");
            }
            else
            {
                owners[address] = site.DisplayName;
                site.Assign(address);
            }
        }

        var next = Networks.ToNumber(network.BaseAddress) + (UInt128)(family == AddressFamily.InterNetwork ? FirstIPv4Offset : FirstIPv6Offset);
        var last = Networks.LastNumber(network) - (family == AddressFamily.InterNetwork ? UInt128.One : UInt128.Zero);
        foreach (var site in sites.Where(s => s.ExplicitAddress(family) is null))
        {
            while (next <= last && owners.ContainsKey(Networks.FromNumber(next, family)))
                next++;
            if (next > last)
            {
                errors.Report(site.Node, $"no free tunnel {familyKey} address left in {network} for {site.DisplayName}",
                    $"widen the prefix of the hub's tunnel {familyKey}, or give this site an explicit address");
                continue;
            }

            var address = Networks.FromNumber(next, family);
            owners[address] = site.DisplayName;
            site.Assign(address);
        }
    }
}
