using System.Net.Sockets;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// Builds the lab's namespaces and links: a bridge standing for the internet, every public host
/// (each hub of a pair too) plugged into it with a veth, and the CGNAT site behind its own NAT router.
/// </summary>
internal sealed class LabNetworkBuilder(ICommandRunner runner, LabTopology topology)
{
    private const string HostUplink = "eth0";
    internal const string NatInsideInterface = "eth1";

    /// <summary>
    /// The NAT router's own ruleset, in its own namespace: masquerade everything leaving by the
    /// outside interface, IPv4 and IPv6 alike (IPv6 NAT is not usual, but CGNAT-like reachability,
    /// "can dial out, cannot be dialled", is what the lab needs to stand for).
    /// </summary>
    private const string NatRuleset = $$"""
        table inet {{NatTable}} {
            chain {{NatChain}} {
                type nat hook postrouting priority srcnat; policy accept;
                {{MasqueradeRule}}
            }
        }

        """;

    private const string NatTable = "lab_nat";
    private const string NatChain = "postrouting";
    private const string UnroutedVipMetric = "65535";
    private const string MasqueradeRule = "oifname \"eth0\" masquerade";

    public async Task BuildAsync(CancellationToken cancellationToken)
    {
        // The internet namespace first: cleanup recognises a (partial) lab by it.
        foreach (var host in topology.Hosts)
            await CreateNamespaceAsync(topology.NamespaceOf(host), cancellationToken);

        await BuildInternetAsync(cancellationToken);
        foreach (var (host, address) in topology.PublicHosts)
            await PlugIntoInternetAsync(host, address, cancellationToken);
        foreach (var hub in topology.Hubs.Where(h => h.LinkRouter is not null))
            await LinkToProviderRouterAsync(hub, hub.LinkRouter!, cancellationToken);
        if (topology.IsProviderRouted)
            await DropUnroutedVipsAsync(cancellationToken);
        await BuildNatAsync(cancellationToken);
        if (topology.Lan is { } lan)
            await BuildLanAsync(lan, cancellationToken);

        foreach (var site in topology.Sites)
        {
            // The UDP echo binds the tunnel addresses before the site daemon has put them on WireGuard.
            await SysctlAsync(site.Namespace, cancellationToken, "net.ipv4.ip_nonlocal_bind=1", "net.ipv6.ip_nonlocal_bind=1");
        }
    }

    /// <summary>Writes the /etc/hosts every lab host sees (ip netns exec bind-mounts /etc/netns/NS/hosts over it).</summary>
    public void WriteHostsFiles()
    {
        var hubLines = string.Concat(topology.Hubs.Select(hub => $"""
            {hub.Public.IPv4} {hub.EndpointHostName}
            {hub.Public.IPv6} {hub.EndpointHostName}

            """));
        var hosts = $"""
            # Written by `keepwire lab` for lab {topology.Prefix}; removed with the lab.
            127.0.0.1 localhost
            ::1 localhost
            {hubLines}
            """;
        foreach (var host in topology.Hosts.Where(h => h != "net"))
        {
            var directory = LabPaths.EtcNetnsDirectory(topology.NamespaceOf(host));
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "hosts"), hosts);
        }
    }

    private async Task CreateNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        await runner.RunCheckedAsync("ip", ["netns", "add", name], cancellationToken: cancellationToken);
        // No duplicate address detection: addresses are usable at once, and nothing in the lab can clash.
        await SysctlAsync(name, cancellationToken, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        await IpAsync(name, cancellationToken, "link", "set", "dev", "lo", "up");
    }

    private async Task BuildInternetAsync(CancellationToken cancellationToken)
    {
        var ns = topology.InternetNamespace;
        var bridge = topology.BridgeInterface;
        await IpAsync(ns, cancellationToken, "link", "add", "name", bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        await IpAsync(ns, cancellationToken, "link", "set", "dev", bridge, "up");
        await AddAddressesAsync(ns, bridge, topology.InternetGateway, cancellationToken);
    }

    private async Task PlugIntoInternetAsync(string host, DualStackAddress address, CancellationToken cancellationToken)
    {
        var hostNamespace = topology.NamespaceOf(host);
        var internet = topology.InternetNamespace;
        // Both ends are created straight inside their namespaces: nothing ever appears in the root namespace.
        await runner.RunCheckedAsync(
            "ip",
            ["link", "add", "name", HostUplink, "netns", hostNamespace, "type", "veth", "peer", "name", host, "netns", internet],
            cancellationToken: cancellationToken);
        await IpAsync(internet, cancellationToken, "link", "set", "dev", host, "master", topology.BridgeInterface);
        await IpAsync(internet, cancellationToken, "link", "set", "dev", host, "up");
        await IpAsync(hostNamespace, cancellationToken, "link", "set", "dev", HostUplink, "up");
        await AddAddressesAsync(hostNamespace, HostUplink, address, cancellationToken);
        await AddDefaultRoutesAsync(hostNamespace, topology.InternetGateway, cancellationToken);
    }

    /// <summary>
    /// A provider-routed hub: its own link to the internet namespace, which routes between the link and the bridge
    /// (the provider's router). The router's end is named after the hub, like a bridge port, so cutting the hub's
    /// link is the same lever. No route to the VIPs yet: the provider API adds it when a hub's hook assigns them.
    /// </summary>
    private async Task LinkToProviderRouterAsync(LabHub hub, DualStackAddress router, CancellationToken cancellationToken)
    {
        var internet = topology.InternetNamespace;
        await runner.RunCheckedAsync(
            "ip",
            ["link", "add", "name", HostUplink, "netns", hub.Namespace, "type", "veth", "peer", "name", hub.Name, "netns", internet],
            cancellationToken: cancellationToken);
        await IpAsync(internet, cancellationToken, "link", "set", "dev", hub.Name, "up");
        await IpAsync(hub.Namespace, cancellationToken, "link", "set", "dev", HostUplink, "up");
        await AddAddressesAsync(hub.Namespace, HostUplink, hub.Public, cancellationToken, LabTopology.ProviderLinkPrefixLengthIPv4, LabTopology.ProviderLinkPrefixLengthIPv6);
        await AddAddressesAsync(internet, hub.Name, router, cancellationToken, LabTopology.ProviderLinkPrefixLengthIPv4, LabTopology.ProviderLinkPrefixLengthIPv6);
        await AddDefaultRoutesAsync(hub.Namespace, router, cancellationToken);
        // keep_addr_on_down: cutting the hub's link sets the router's end down, which by default drops its IPv6
        // addresses for good (IPv4 ones stay): the restored link would come back without the hub's IPv6 gateway.
        await SysctlAsync(internet, cancellationToken, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv6.conf.all.keep_addr_on_down=1");
    }

    /// <summary>
    /// A provider's network drops traffic for a floating address whose server it cannot reach. A Linux router
    /// instead deletes a route whose link went down and answers "network unreachable", which fails a client's
    /// connect at once where a real provider lets its SYN be retransmitted to the hub taking over. A blackhole route
    /// behind the provider API's route (which has the default metric) keeps the lab's router as quiet as a provider's.
    /// </summary>
    private async Task DropUnroutedVipsAsync(CancellationToken cancellationToken)
    {
        foreach (var vip in topology.Vips.Both)
            await IpAsync(topology.InternetNamespace, cancellationToken, LabProviderApi.Family(vip), "route", "add", "blackhole", LabProviderApi.Host(vip), "metric", UnroutedVipMetric);
    }

    private async Task BuildNatAsync(CancellationToken cancellationToken)
    {
        var nat = topology.Nat;
        var site = topology.Sites.Single(s => s.BehindNat);
        await runner.RunCheckedAsync(
            "ip",
            ["link", "add", "name", NatInsideInterface, "netns", nat.Namespace, "type", "veth", "peer", "name", HostUplink, "netns", site.Namespace],
            cancellationToken: cancellationToken);
        await IpAsync(nat.Namespace, cancellationToken, "link", "set", "dev", NatInsideInterface, "up");
        await IpAsync(site.Namespace, cancellationToken, "link", "set", "dev", HostUplink, "up");
        await AddAddressesAsync(nat.Namespace, NatInsideInterface, nat.Inside, cancellationToken, LabNatRouter.InsidePrefixLengthIPv4, LabNatRouter.InsidePrefixLengthIPv6);
        await AddAddressesAsync(site.Namespace, HostUplink, site.Host, cancellationToken, LabNatRouter.InsidePrefixLengthIPv4, LabNatRouter.InsidePrefixLengthIPv6);
        await AddDefaultRoutesAsync(site.Namespace, nat.Inside, cancellationToken);

        await SysctlAsync(nat.Namespace, cancellationToken, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        await runner.RunCheckedAsync("ip", ["netns", "exec", nat.Namespace, "nft", "-f", "-"], NatRuleset, cancellationToken);
    }

    /// <summary>
    /// The LAN behind the router site: a bridge in the router's namespace with the router's LAN address, and each server
    /// plugged into it by a veth (its <c>eth0</c>; the router's end is named after the server). A server that routes
    /// back through the router gets it as its default gateway; the other reaches only the LAN. The router's agent turns
    /// forwarding on itself, as on a real router: the lab does not.
    /// </summary>
    private async Task BuildLanAsync(LabLan lan, CancellationToken cancellationToken)
    {
        var router = topology.Site(lan.Router).Namespace;
        await IpAsync(router, cancellationToken, "link", "add", "name", lan.Bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        await IpAsync(router, cancellationToken, "link", "set", "dev", lan.Bridge, "up");
        await AddAddressesAsync(router, lan.Bridge, lan.RouterAddress, cancellationToken, LabLan.PrefixLengthIPv4, LabLan.PrefixLengthIPv6);
        foreach (var server in lan.Servers)
        {
            await runner.RunCheckedAsync(
                "ip",
                ["link", "add", "name", HostUplink, "netns", server.Namespace, "type", "veth", "peer", "name", server.Name, "netns", router],
                cancellationToken: cancellationToken);
            await IpAsync(router, cancellationToken, "link", "set", "dev", server.Name, "master", lan.Bridge);
            await IpAsync(router, cancellationToken, "link", "set", "dev", server.Name, "up");
            await IpAsync(server.Namespace, cancellationToken, "link", "set", "dev", HostUplink, "up");
            await AddAddressesAsync(server.Namespace, HostUplink, server.Address, cancellationToken, LabLan.PrefixLengthIPv4, LabLan.PrefixLengthIPv6);
            if (server.RoutesBack)
                await AddDefaultRoutesAsync(server.Namespace, lan.RouterAddress, cancellationToken);
        }
    }

    /// <summary>
    /// The NAT router stops translating but still forwards, as a CGNAT router that lost its masquerade rule: the
    /// site's packets reach the hubs from its private address, and WireGuard moves the hubs' endpoint for it there.
    /// The hubs route that private network to a next hop on the public segment that nobody answers ARP/ND for, as
    /// a hub does whose route for such an address is on-link or leads to a dead gateway: nothing it sends the site
    /// leaves the hub. The router forgets its translations, so the site's open WireGuard flow is not NATed either.
    /// </summary>
    public async Task StopNatTranslationAsync(CancellationToken cancellationToken)
    {
        foreach (var hub in topology.Hubs)
        {
            foreach (var network in topology.Nat.InsideNetworks)
            {
                var nextHop = network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6
                    ? topology.UnansweredNextHop.IPv6
                    : topology.UnansweredNextHop.IPv4;
                await IpAsync(hub.Namespace, cancellationToken, "route", "replace", network.ToString(), "via", nextHop.ToString(), "dev", hub.PublicInterface);
            }
        }
        await NatAsync($"flush chain inet {NatTable} {NatChain}\n", cancellationToken);
    }

    /// <summary>Undoes <see cref="StopNatTranslationAsync"/>: the router masquerades again and the hubs lose the route.</summary>
    public async Task RestoreNatTranslationAsync(CancellationToken cancellationToken)
    {
        foreach (var hub in topology.Hubs)
        {
            foreach (var network in topology.Nat.InsideNetworks)
            {
                // Absent when the translation was never stopped: nothing to undo.
                await runner.RunAsync("ip", ["-n", hub.Namespace, "route", "del", network.ToString()], cancellationToken: cancellationToken);
            }
        }
        await NatAsync($"flush chain inet {NatTable} {NatChain}\nadd rule inet {NatTable} {NatChain} {MasqueradeRule}\n", cancellationToken);
    }

    /// <summary>Changes the NAT router's ruleset and forgets every translation made under the old one.</summary>
    private async Task NatAsync(string script, CancellationToken cancellationToken)
    {
        var nat = topology.Nat.Namespace;
        await runner.RunCheckedAsync("ip", ["netns", "exec", nat, "nft", "-f", "-"], script, cancellationToken);
        await runner.RunCheckedAsync("ip", ["netns", "exec", nat, "conntrack", "-F"], cancellationToken: cancellationToken);
    }

    private async Task AddAddressesAsync(string ns, string device, DualStackAddress address, CancellationToken cancellationToken, int? prefixLengthIPv4 = null, int? prefixLengthIPv6 = null)
    {
        await IpAsync(ns, cancellationToken, "-4", "address", "add", $"{address.IPv4}/{prefixLengthIPv4 ?? topology.PublicPrefixLengthIPv4}", "dev", device);
        await IpAsync(ns, cancellationToken, "-6", "address", "add", $"{address.IPv6}/{prefixLengthIPv6 ?? topology.PublicPrefixLengthIPv6}", "dev", device, "nodad");
    }

    private async Task AddDefaultRoutesAsync(string ns, DualStackAddress gateway, CancellationToken cancellationToken)
    {
        await IpAsync(ns, cancellationToken, "-4", "route", "add", "default", "via", gateway.IPv4.ToString());
        await IpAsync(ns, cancellationToken, "-6", "route", "add", "default", "via", gateway.IPv6.ToString());
    }

    private async Task IpAsync(string ns, CancellationToken cancellationToken, params string[] arguments) =>
        await runner.RunCheckedAsync("ip", ["-n", ns, .. arguments], cancellationToken: cancellationToken);

    private async Task SysctlAsync(string ns, CancellationToken cancellationToken, params string[] settings) =>
        await runner.RunCheckedAsync("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", .. settings], cancellationToken: cancellationToken);
}
