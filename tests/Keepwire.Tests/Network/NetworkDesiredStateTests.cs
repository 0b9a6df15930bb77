using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Keepwire.Reconciliation;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

/// <summary>What the hub and site reconcilers derive from the config, before any I/O.</summary>
public class NetworkDesiredStateTests
{
    private static readonly HubNode Hub = new(
        "hub1", new HostEndpoint("hub.example.net", 51820), 51820, "kw-hub", "eth0", Key(1), "/etc/keepwire/hub.key",
        new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), []);

    private static readonly SiteNode SiteA = new(
        "a", Key(2), 100, SiteMode.Agent, TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")), "kw-a", "/etc/keepwire/a.key", 25);

    private static readonly SiteNode SiteB = new(
        "b", Key(3), 50, SiteMode.Snat, TunnelAddresses.Host(IPAddress.Parse("10.77.0.3"), null), "kw-b", "/etc/keepwire/b.key", 25);

    private static readonly ClusterConfig Config = new(
        "/etc/keepwire/cluster.yaml", [Hub], [SiteA, SiteB],
        [
            new ServiceConfig("web", [IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8::10")], [], ["a", "b"]),
            new ServiceConfig("mail", [IPAddress.Parse("203.0.113.10")], [], ["b"]),
        ]);

    [Fact]
    public void Hub_has_one_peer_per_site_with_host_routes_and_no_endpoint()
    {
        var spec = HubNetworkReconciler.DesiredDevice(Config, Hub);

        Assert.Equal(51820, spec.ListenPort);
        Assert.Equal(Key(1), spec.PublicKey);
        Assert.Equal(
            [
                new WireGuardPeerSpec(Key(2), [IPNetwork.Parse("10.77.0.2/32"), IPNetwork.Parse("fd77::2/128")]),
                new WireGuardPeerSpec(Key(3), [IPNetwork.Parse("10.77.0.3/32")]),
            ],
            spec.Peers,
            new PeerComparer());
    }

    [Fact]
    public void Hub_tunnel_addresses_carry_the_network_prefix()
    {
        Assert.Equal(
            [new InterfaceAddress(IPAddress.Parse("10.77.0.1"), 24), new InterfaceAddress(IPAddress.Parse("fd77::1"), 64)],
            HubNetworkReconciler.TunnelAddresses(Hub));
    }

    [Fact]
    public void Vips_are_deduplicated_and_marked_unless_someone_else_holds_them()
    {
        Assert.Equal([IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8::10")], HubNetworkReconciler.DesiredVips(Config));

        var operatorOwned = new InterfaceAddress(IPAddress.Parse("203.0.113.10"), 24);
        var plan = HubNetworkReconciler.VipPlan([operatorOwned], HubNetworkReconciler.DesiredVips(Config));

        Assert.Equal([new InterfaceAddress(IPAddress.Parse("2001:db8::10"), 128, InterfaceAddress.KeepwireAddressMetric)], plan);
        Assert.False(HubNetworkReconciler.IsKeepwireVip(operatorOwned));
        Assert.True(HubNetworkReconciler.IsKeepwireVip(plan[0]));
    }

    [Fact]
    public void Site_peer_accepts_every_source_and_dials_the_chosen_endpoint()
    {
        var endpoint = IPEndPoint.Parse("203.0.113.1:51820");
        var spec = SiteNetworkReconciler.DesiredDevice(SiteA, Hub, new SiteNetworkReconciler.EndpointChoice(endpoint, false, "test"));

        var peer = Assert.Single(spec.Peers);
        Assert.Null(spec.ListenPort);
        Assert.Equal(Hub.PublicKey, peer.PublicKey);
        Assert.Equal([IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0")], peer.AllowedIps);
        Assert.Equal(endpoint, peer.Endpoint);
        Assert.Equal(25, peer.PersistentKeepalive);
    }

    [Fact]
    public void Site_addresses_use_the_hub_network_prefix()
    {
        Assert.Equal(
            [new InterfaceAddress(IPAddress.Parse("10.77.0.2"), 24), new InterfaceAddress(IPAddress.Parse("fd77::2"), 64)],
            SiteNetworkReconciler.TunnelAddresses(SiteA, Hub));
    }

    [Fact]
    public void Return_path_table_is_stable_and_in_range_and_rules_match_families()
    {
        var table = SiteNetworkReconciler.ReturnPath.TableFor("kw-a");

        Assert.Equal(table, SiteNetworkReconciler.ReturnPath.TableFor("kw-a"));
        Assert.NotEqual(table, SiteNetworkReconciler.ReturnPath.TableFor("kw-b"));
        Assert.InRange(table, 51820, 52819);
        Assert.Equal(
            [
                PolicyRule.FromAddress(IPAddress.Parse("10.77.0.2"), table, SiteNetworkReconciler.ReturnPath.RulePriority),
                PolicyRule.FromAddress(IPAddress.Parse("fd77::2"), table, SiteNetworkReconciler.ReturnPath.RulePriority),
            ],
            SiteNetworkReconciler.ReturnPath.Rules(SiteA.Tunnel, SiteA.Interface));
        Assert.Equal([RouteEntry.DefaultVia("kw-b", AddressFamily.InterNetwork)], SiteNetworkReconciler.ReturnPath.Routes(SiteB.Tunnel, SiteB.Interface));
    }

    [Fact]
    public void Getent_output_gives_each_address_once_in_order()
    {
        const string output = """
            2001:db8::1     STREAM hub.example.net
            2001:db8::1     DGRAM
            2001:db8::1     RAW
            203.0.113.1     STREAM
            203.0.113.1     DGRAM
            203.0.113.1     RAW
            """;

        Assert.Equal([IPAddress.Parse("2001:db8::1"), IPAddress.Parse("203.0.113.1")], GetentHostResolver.ParseAhosts(output));
    }

    /// <summary>Records holding lists compare by reference; compare peers by their contents.</summary>
    private sealed class PeerComparer : IEqualityComparer<WireGuardPeerSpec>
    {
        public bool Equals(WireGuardPeerSpec? x, WireGuardPeerSpec? y) =>
            x is not null && y is not null && x.PublicKey == y.PublicKey && x.AllowedIps.SequenceEqual(y.AllowedIps)
            && Equals(x.Endpoint, y.Endpoint) && x.RefreshEndpoint == y.RefreshEndpoint && x.PersistentKeepalive == y.PersistentKeepalive;

        public int GetHashCode(WireGuardPeerSpec obj) => obj.PublicKey.GetHashCode();
    }
}
