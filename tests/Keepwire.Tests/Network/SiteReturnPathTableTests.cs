using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Network;

public sealed class SiteReturnPathTableTests
{
    private static readonly (string, FirewallMark)[] Tunnels =
    [
        ("kw0", SiteNetworkReconciler.ReturnPath.MarkFor(0)),
        ("kw1", SiteNetworkReconciler.ReturnPath.MarkFor(1)),
    ];

    private static readonly TunnelAddresses SiteTunnel = TunnelAddresses.Host(IPAddress.Parse("10.77.0.11"), IPAddress.Parse("fd77::11"));

    private static readonly IPAddress[] HubAddresses = [IPAddress.Parse("10.77.0.1"), IPAddress.Parse("fd77::1"), IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")];

    private static SiteReturnPathSpec Pair(params (int, int)[] udpPorts) => new(["kw0", "kw1"], Tunnels, SiteTunnel, HubAddresses, udpPorts);

    private static SiteReturnPathSpec SingleHub(TunnelAddresses tunnel, params (int, int)[] udpPorts) => new(["kw0"], [], tunnel, HubAddresses[..2], udpPorts);

    [Fact]
    public void A_pair_table_marks_arrivals_and_copies_the_mark_onto_local_and_forwarded_replies_in_one_transaction()
    {
        var script = SiteReturnPathTable.ApplyScript(Pair());

        Assert.Equal(
            $$"""
            add table inet keepwire_site
            delete table inet keepwire_site
            table inet keepwire_site {
            	comment "{{SiteReturnPathTable.Comment(Pair())}}"
            	chain prerouting {
            		type filter hook prerouting priority mangle; policy accept;
            		iifname "kw0" ct mark set ct mark & 0xf0ffffff | 0x01000000
            		iifname "kw1" ct mark set ct mark & 0xf0ffffff | 0x02000000
            		iifname != { "kw0", "kw1" } ct mark & 0x0f000000 == 0x01000000 meta mark set meta mark & 0xf0ffffff | 0x01000000
            		iifname != { "kw0", "kw1" } ct mark & 0x0f000000 == 0x02000000 meta mark set meta mark & 0xf0ffffff | 0x02000000
            	}
            	chain output {
            		type route hook output priority mangle; policy accept;
            		ct mark & 0x0f000000 == 0x01000000 meta mark set meta mark & 0xf0ffffff | 0x01000000
            		ct mark & 0x0f000000 == 0x02000000 meta mark set meta mark & 0xf0ffffff | 0x02000000
            	}
            }

            """,
            script);
    }

    [Fact]
    public void A_single_hub_site_serving_udp_remembers_its_clients_and_gives_their_replies_the_tunnel_address()
    {
        var spec = SingleHub(SiteTunnel, (7, 7), (5000, 5100));

        Assert.Equal(
            """
            	set udp_clients4 {
            		type ipv4_addr . inet_service . inet_service
            		size 65536
            		flags dynamic,timeout
            		timeout 120s
            	}
            	set udp_clients6 {
            		type ipv6_addr . inet_service . inet_service
            		size 65536
            		flags dynamic,timeout
            		timeout 120s
            	}
            	chain prerouting {
            		type filter hook prerouting priority mangle; policy accept;
            		iifname { "kw0" } ip daddr 10.77.0.11 ip saddr != { 10.77.0.1 } udp dport { 7, 5000-5100 } update @udp_clients4 { ip saddr . udp sport . udp dport }
            		iifname { "kw0" } ip6 daddr fd77::11 ip6 saddr != { fd77::1 } udp dport { 7, 5000-5100 } update @udp_clients6 { ip6 saddr . udp sport . udp dport }
            	}
            	chain udp_replies {
            		type route hook output priority raw; policy accept;
            		ip saddr != 10.77.0.11 ip daddr . udp dport . udp sport @udp_clients4 ip saddr set 10.77.0.11
            		ip6 saddr != fd77::11 ip6 daddr . udp dport . udp sport @udp_clients6 ip6 saddr set fd77::11
            	}

            """,
            SiteReturnPathTable.Body(spec));
    }

    [Fact]
    public void A_pair_site_serving_udp_has_both_the_marks_and_the_udp_rules()
    {
        var body = SiteReturnPathTable.Body(Pair((53, 53)));

        Assert.Contains("iifname \"kw1\" ct mark set", body, StringComparison.Ordinal);
        Assert.Contains("\t\tiifname { \"kw0\", \"kw1\" } ip daddr 10.77.0.11 ip saddr != { 10.77.0.1, 10.77.0.2 } udp dport { 53 } update @udp_clients4", body, StringComparison.Ordinal);
        Assert.Contains("chain output {\n\t\ttype route hook output priority mangle;", body, StringComparison.Ordinal);
        // Before conntrack (raw), so the rewritten reply joins the client's flow and its mark picks the tunnel.
        Assert.Contains("chain udp_replies {\n\t\ttype route hook output priority raw;", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_families_the_site_has_a_tunnel_address_in_get_udp_rules()
    {
        var body = SiteReturnPathTable.Body(SingleHub(TunnelAddresses.Host(IPAddress.Parse("10.77.0.11"), null), (7, 7)));

        Assert.Contains("udp_clients4", body, StringComparison.Ordinal);
        Assert.DoesNotContain("udp_clients6", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ip6", body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_hub_site_without_udp_needs_no_table()
    {
        Assert.True(SingleHub(SiteTunnel).IsEmpty);
        Assert.False(SingleHub(SiteTunnel, (7, 7)).IsEmpty);
        Assert.False(Pair().IsEmpty);
    }

    [Fact]
    public void The_comment_fingerprints_the_rules_so_a_changed_interface_or_port_rebuilds_the_table()
    {
        var comment = SiteReturnPathTable.Comment(Pair());

        Assert.StartsWith(SiteReturnPathTable.CommentPrefix, comment, StringComparison.Ordinal);
        Assert.Equal(comment, SiteReturnPathTable.Comment(Pair()));
        Assert.NotEqual(comment, SiteReturnPathTable.Comment(Pair() with { MarkedTunnels = [Tunnels[0], ("kwx", Tunnels[1].Item2)] }));
        Assert.NotEqual(SiteReturnPathTable.Comment(Pair((7, 7))), SiteReturnPathTable.Comment(Pair((9, 9))));
    }
}
