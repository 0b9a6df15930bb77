using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Model;
using Keepwire.Reconciliation;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

/// <summary>
/// A router site (a service's backend on its LAN): which forwards it needs, the policy rule its LAN servers' replies
/// take, and the nft rules that forward, mark and (only when asked) masquerade.
/// </summary>
public sealed class SiteRouterTests
{
    private static readonly HubNode Hub = new(
        "hub", new HostEndpoint("hub.example.net", 51820), 51820, "kw-hub", "eth0", Key(1), "/etc/keepwire/hub.key",
        new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), []);

    private static readonly SiteNode Office = new(
        "office", Key(2), 100, SiteMode.Agent, TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")), "kw0", "/etc/keepwire/office.key", 25);

    private static readonly SiteNode Zurich = new(
        "zurich", Key(3), 50, SiteMode.Agent, TunnelAddresses.Host(IPAddress.Parse("10.77.0.3"), IPAddress.Parse("fd77::3")), "kw0", "/etc/keepwire/zurich.key", 25);

    private static readonly IPAddress[] Vips = [IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8::10")];

    private static readonly SiteBackend Files = new(IPAddress.Parse("192.168.50.10"), IPAddress.Parse("fd00:50::10"), false);

    private static readonly SiteBackend Printer = new(IPAddress.Parse("192.168.50.20"), null, true);

    private static PortRule Tcp(int port, int? backend = null) => new(TransportProtocol.Tcp, port, port, backend);

    /// <summary>web (tcp/80 and tcp/443 to 8443) on the file server behind office; ipp on the printer, masqueraded; dns served by office itself.</summary>
    private static ClusterConfig Config() => new("/etc/keepwire/cluster.yaml", [Hub], [Office, Zurich],
    [
        new ServiceConfig("web", Vips, [Tcp(80), Tcp(443, 8443)], ["office", "zurich"])
        {
            Checks = [new CheckDefinition("http", CheckKind.Http) { Port = 8081 }],
            Backends = new Dictionary<string, SiteBackend> { ["office"] = Files },
        },
        new ServiceConfig("ipp", [Vips[0]], [Tcp(631), new PortRule(TransportProtocol.Udp, 5353, 5353, null)], ["office"])
        {
            Checks = [new CheckDefinition("tcp", CheckKind.Tcp) { Port = 631 }],
            Backends = new Dictionary<string, SiteBackend> { ["office"] = Printer },
        },
        new ServiceConfig("dns", [Vips[0]], [new PortRule(TransportProtocol.Udp, 53, 53, null)], ["office", "zurich"]),
    ]);

    [Fact]
    public void A_router_forwards_each_services_site_ports_and_check_ports_per_family_to_its_lan_server()
    {
        var forwards = LanForward.For(Config(), Office);

        Assert.Collection(
            forwards,
            f => Assert.Equal((TransportProtocol.Tcp, "10.77.0.2", "192.168.50.10", "80,8081,8443", false), Describe(f)),
            f => Assert.Equal((TransportProtocol.Tcp, "10.77.0.2", "192.168.50.20", "631", true), Describe(f)),
            f => Assert.Equal((TransportProtocol.Udp, "10.77.0.2", "192.168.50.20", "5353", true), Describe(f)),
            f => Assert.Equal((TransportProtocol.Tcp, "fd77::2", "fd00:50::10", "80,8081,8443", false), Describe(f)));
        // A site with no backend serves everything itself.
        Assert.Empty(LanForward.For(Config(), Zurich));
    }

    [Fact]
    public void The_lan_servers_replies_find_the_tunnel_by_the_connections_mark_and_only_the_routers_own_udp_ports_are_rewritten()
    {
        var config = Config();
        var tunnel = Assert.Single(SiteTunnelPlan.For(config, Office));
        var table = SiteNetworkReconciler.ReturnPath.TableFor("kw0");
        var mark = SiteNetworkReconciler.ReturnPath.MarkFor(0);
        Assert.Contains(PolicyRule.FromMark(mark, table, SiteNetworkReconciler.ReturnPath.RulePriority, System.Net.Sockets.AddressFamily.InterNetwork), tunnel.ReturnRules);
        Assert.Contains(PolicyRule.FromMark(mark, table, SiteNetworkReconciler.ReturnPath.RulePriority, System.Net.Sockets.AddressFamily.InterNetworkV6), tunnel.ReturnRules);
        Assert.Null(tunnel.ReturnMark);

        var spec = SiteReturnPathSpec.For(config, Office, [tunnel]);
        Assert.Equal([("kw0", mark)], spec.MarkedTunnels);
        // dns is answered by office itself; ipp's udp/5353 by the printer, whose replies are forwarded.
        Assert.Equal([(53, 53)], spec.UdpPorts);

        // A site that forwards nothing keeps its plain source rules and no mark.
        var zurich = Assert.Single(SiteTunnelPlan.For(config, Zurich));
        Assert.DoesNotContain(zurich.ReturnRules, rule => rule.Mark is not null);
        Assert.Empty(SiteReturnPathSpec.For(config, Zurich, [zurich]).MarkedTunnels);
    }

    [Fact]
    public void The_router_table_dnats_arrivals_through_the_tunnel_and_masquerades_only_what_asks_for_it()
    {
        var config = Config();
        var spec = SiteReturnPathSpec.For(config, Office, SiteTunnelPlan.For(config, Office));

        var body = SiteReturnPathTable.Body(spec);

        Assert.Contains(
            """
            	chain lan_forward {
            		type nat hook prerouting priority dstnat; policy accept;
            		iifname { "kw0" } ip daddr 10.77.0.2 tcp dport { 80, 8081, 8443 } dnat ip to 192.168.50.10
            		iifname { "kw0" } ip daddr 10.77.0.2 tcp dport { 631 } dnat ip to 192.168.50.20
            		iifname { "kw0" } ip daddr 10.77.0.2 udp dport { 5353 } dnat ip to 192.168.50.20
            		iifname { "kw0" } ip6 daddr fd77::2 tcp dport { 80, 8081, 8443 } dnat ip6 to fd00:50::10
            	}
            	chain lan_masquerade {
            		type nat hook postrouting priority srcnat; policy accept;
            		ct original ip daddr 10.77.0.2 ip daddr 192.168.50.20 tcp dport { 631 } masquerade
            		ct original ip daddr 10.77.0.2 ip daddr 192.168.50.20 udp dport { 5353 } masquerade
            	}

            """.ReplaceLineEndings("\n"),
            body);
        // Arrivals through the tunnel are marked, and the LAN servers' replies (from any other interface) take the mark.
        Assert.Contains("iifname \"kw0\" ct mark set ct mark & 0xf0ffffff | 0x01000000", body);
        Assert.Contains("iifname != { \"kw0\" } ct mark & 0x0f000000 == 0x01000000 meta mark set meta mark & 0xf0ffffff | 0x01000000", body);

        // Without a masqueraded backend there is no postrouting chain at all.
        var plain = config with { Services = [config.Services[0]] };
        Assert.DoesNotContain("masquerade", SiteReturnPathTable.Body(SiteReturnPathSpec.For(plain, Office, SiteTunnelPlan.For(plain, Office))));
    }

    [Fact]
    public void In_a_hub_pair_the_router_uses_the_pairs_own_marks_and_forwards_what_either_tunnel_brings()
    {
        var hub2 = Hub with { Name = "hub2", PublicKey = Key(4), Interface = "kw-hub2", Tunnel = new TunnelAddresses(IPAddress.Parse("10.77.0.9"), 24, IPAddress.Parse("fd77::9"), 64) };
        var office = Office with { Interfaces = new Dictionary<string, string> { ["hub"] = "kw1", ["hub2"] = "kw2" } };
        var config = Config() with { Hubs = [Hub, hub2], Sites = [office, Zurich] };
        var tunnels = SiteTunnelPlan.For(config, office);

        var spec = SiteReturnPathSpec.For(config, office, tunnels);

        Assert.Equal(tunnels.Select(t => (t.Interface, t.ReturnMark!)), spec.MarkedTunnels);
        // One fwmark rule per family and tunnel, as for any site of a pair: none added for the router.
        Assert.All(tunnels, t => Assert.Equal(2, t.ReturnRules.Count));
        Assert.Contains("iifname { \"kw1\", \"kw2\" } ip daddr 10.77.0.2 tcp dport { 80, 8081, 8443 } dnat ip to 192.168.50.10", SiteReturnPathTable.Body(spec));
    }

    private static (TransportProtocol, string, string, string, bool) Describe(LanForward forward) =>
        (forward.Protocol, forward.Tunnel.ToString(), forward.Backend.ToString(),
            string.Join(",", forward.Ports.Select(p => p.First == p.Last ? $"{p.First}" : $"{p.First}-{p.Last}")), forward.Masquerade);
}
