using System.Net;
using Keepwire.Model;
using Keepwire.Reconciliation;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

/// <summary>Which UDP ports a site answers clients on from its tunnel address, and when it needs a table at all.</summary>
public class SiteReturnPathSpecTests
{
    private static readonly HubNode Hub = new(
        "hub1", new HostEndpoint("hub.example.net", 51820), 51820, "kw-hub", "eth0", Key(1), "/etc/keepwire/hub.key",
        new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), []);

    private static readonly SiteNode Agent = new(
        "a", Key(2), 100, SiteMode.Agent, TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")), "kw-a", "/etc/keepwire/a.key", 25);

    private static readonly SiteNode Snat = new(
        "b", Key(3), 50, SiteMode.Snat, TunnelAddresses.Host(IPAddress.Parse("10.77.0.3"), null), "kw-b", "/etc/keepwire/b.key", 25);

    private static readonly IPAddress[] Vip = [IPAddress.Parse("203.0.113.10")];

    private static ClusterConfig Config(params ServiceConfig[] services) => new("/etc/keepwire/cluster.yaml", [Hub], [Agent, Snat], services);

    private static PortRule Udp(int first, int last, int? backend = null) => new(TransportProtocol.Udp, first, last, backend);

    [Fact]
    public void The_site_side_ports_of_its_udp_services_are_listed_merged_and_sorted()
    {
        var config = Config(
            new ServiceConfig("dns", Vip, [Udp(53, 53, 5353), new PortRule(TransportProtocol.Tcp, 53, 53, null)], ["a"]),
            new ServiceConfig("voip", Vip, [Udp(10000, 10100), Udp(7, 7)], ["a", "b"]),
            new ServiceConfig("games", Vip, [Udp(10050, 10200), Udp(8, 8)], ["a"]),
            new ServiceConfig("elsewhere", Vip, [Udp(9, 9)], ["b"]));

        Assert.Equal([(7, 8), (5353, 5353), (10000, 10200)], SiteReturnPathSpec.UdpPortsServedBy(config, "a"));
    }

    [Fact]
    public void A_site_without_udp_services_or_in_snat_mode_needs_no_udp_rules()
    {
        var tcpOnly = Config(new ServiceConfig("web", Vip, [new PortRule(TransportProtocol.Tcp, 80, 80, null)], ["a", "b"]));
        Assert.True(SiteReturnPathSpec.For(tcpOnly, Agent, SiteTunnelPlan.For(tcpOnly, Agent)).IsEmpty);

        var udp = Config(new ServiceConfig("voip", Vip, [Udp(7, 7)], ["a", "b"]));
        var agent = SiteReturnPathSpec.For(udp, Agent, SiteTunnelPlan.For(udp, Agent));
        Assert.False(agent.IsEmpty);
        Assert.Equal(["kw-a"], agent.Interfaces);
        Assert.Empty(agent.MarkedTunnels);
        Assert.Equal([IPAddress.Parse("10.77.0.1"), IPAddress.Parse("fd77::1")], agent.HubAddresses);
        // snat: the hub's masquerade makes the hub the client, and replies to it already route into the tunnel.
        Assert.True(SiteReturnPathSpec.For(udp, Snat, SiteTunnelPlan.For(udp, Snat)).IsEmpty);
    }
}
