using System.Net;
using System.Net.Sockets;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks the sites' explicit tunnel addresses against the hub's tunnel network and gives every site an
/// address in each family the hub has.
/// </summary>
/// <remarks>
/// Allocation rule (documented in docs/configuration.md, and relied on for stable addresses): first every
/// explicit address and the hub's own are reserved; then, in declaration order, each site without an explicit
/// address in a family gets the lowest free address from network+10 (IPv4, e.g. 10.77.0.10) or network+0x10
/// (IPv6, e.g. fd77::10) upward. Appending sites at the end therefore never moves an existing site.
/// </remarks>
internal static class TunnelAddressPlanner
{
    public const int FirstIPv4Offset = 10;
    public const int FirstIPv6Offset = 0x10;

    public static void Plan(HubDraft hub, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        if (hub.Tunnel is not { } tunnel)
            return;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var familyKey = family == AddressFamily.InterNetwork ? "ipv4" : "ipv6";
            if (tunnel.NetworkOf(family) is { } network && tunnel.AddressOf(family) is { } hubAddress)
                PlanFamily(hub, hubAddress.Value, network, familyKey, sites, errors);
            else
                RejectFamily(hub, familyKey, sites, errors);
        }
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

    private static void PlanFamily(HubDraft hub, IPAddress hubAddress, IPNetwork network, string familyKey, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        var family = hubAddress.AddressFamily;
        var owners = new Dictionary<IPAddress, string> { [hubAddress] = $"hub '{hub.Name?.Value}'" };
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
