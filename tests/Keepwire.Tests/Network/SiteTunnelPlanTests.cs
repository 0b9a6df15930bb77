using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Configuration;

namespace Keepwire.Tests.Network;

/// <summary>What a site's tunnels should look like, one hub and a pair, before any I/O.</summary>
public sealed class SiteTunnelPlanTests
{
    private static ClusterConfig Load(ConfigText text) => ConfigLoader.Parse(text.ToString(), "cluster.yaml").Config!;

    [Fact]
    public void One_hub_keeps_the_prefix_addresses_and_the_source_address_rules()
    {
        var config = Load(ConfigText.Base);
        var alpha = config.FindSite("alpha")!;

        var tunnel = Assert.Single(SiteTunnelPlan.For(config, alpha));

        var table = SiteNetworkReconciler.ReturnPath.TableFor("kw0");
        Assert.Equal(("kw0", table), (tunnel.Interface, tunnel.ReturnTable));
        Assert.Equal([new InterfaceAddress(IPAddress.Parse("10.77.0.10"), 24), new InterfaceAddress(IPAddress.Parse("fd77::10"), 64)], tunnel.Addresses);
        Assert.Empty(tunnel.HubRoutes);
        Assert.Null(tunnel.ReturnMark);
        Assert.Equal(
            [
                PolicyRule.FromAddress(IPAddress.Parse("10.77.0.10"), table, SiteNetworkReconciler.ReturnPath.RulePriority),
                PolicyRule.FromAddress(IPAddress.Parse("fd77::10"), table, SiteNetworkReconciler.ReturnPath.RulePriority),
            ],
            tunnel.ReturnRules);
        Assert.Equal([RouteEntry.DefaultVia("kw0", AddressFamily.InterNetwork), RouteEntry.DefaultVia("kw0", AddressFamily.InterNetworkV6)], tunnel.ReturnRoutes);
    }

    [Fact]
    public void A_pair_has_one_interface_per_hub_with_host_addresses_hub_routes_and_marked_return_paths()
    {
        var config = Load(ConfigText.Pair.InsertAfter(16, "    interfaces: { hub1: kwa1, hub2: kwa2 }"));
        var alpha = config.FindSite("alpha")!;

        var tunnels = SiteTunnelPlan.For(config, alpha);

        Assert.Equal(["hub1", "hub2"], tunnels.Select(t => t.Hub.Name));
        Assert.Equal(["kwa1", "kwa2"], tunnels.Select(t => t.Interface));
        var hostAddresses = new[] { InterfaceAddress.Host(IPAddress.Parse("10.77.0.10")), InterfaceAddress.Host(IPAddress.Parse("fd77::10")) };
        foreach (var tunnel in tunnels)
            Assert.Equal(hostAddresses, tunnel.Addresses);

        Assert.Equal([new RouteEntry(IPNetwork.Parse("10.77.0.1/32"), "kwa1"), new RouteEntry(IPNetwork.Parse("fd77::1/128"), "kwa1")], tunnels[0].HubRoutes);
        Assert.Equal([new RouteEntry(IPNetwork.Parse("10.77.0.2/32"), "kwa2"), new RouteEntry(IPNetwork.Parse("fd77::2/128"), "kwa2")], tunnels[1].HubRoutes);

        Assert.Equal(new FirewallMark(0x01000000, 0x0f000000), tunnels[0].ReturnMark);
        Assert.Equal(new FirewallMark(0x02000000, 0x0f000000), tunnels[1].ReturnMark);
        foreach (var tunnel in tunnels)
        {
            var table = SiteNetworkReconciler.ReturnPath.TableFor(tunnel.Interface);
            Assert.Equal(table, tunnel.ReturnTable);
            Assert.Equal(
                [
                    PolicyRule.FromMark(tunnel.ReturnMark!, table, SiteNetworkReconciler.ReturnPath.RulePriority, AddressFamily.InterNetwork),
                    PolicyRule.FromMark(tunnel.ReturnMark!, table, SiteNetworkReconciler.ReturnPath.RulePriority, AddressFamily.InterNetworkV6),
                ],
                tunnel.ReturnRules);
            Assert.Equal(
                [RouteEntry.DefaultVia(tunnel.Interface, AddressFamily.InterNetwork), RouteEntry.DefaultVia(tunnel.Interface, AddressFamily.InterNetworkV6)],
                tunnel.ReturnRoutes);
        }
        Assert.NotEqual(tunnels[0].ReturnTable, tunnels[1].ReturnTable);
    }

    [Fact]
    public void A_pair_without_IPv6_routes_and_marks_only_IPv4()
    {
        var config = Load(ConfigText.Pair.Replace(6, "    tunnel: { ipv4: 10.77.0.1/24 }").Replace(11, "    tunnel: { ipv4: 10.77.0.2/24 }"));

        var second = SiteTunnelPlan.For(config, config.FindSite("bravo")!)[1];

        Assert.Equal("kw1", second.Interface);
        Assert.Equal([InterfaceAddress.Host(IPAddress.Parse("10.77.0.11"))], second.Addresses);
        Assert.Equal([new RouteEntry(IPNetwork.Parse("10.77.0.2/32"), "kw1")], second.HubRoutes);
        Assert.Equal([AddressFamily.InterNetwork], second.ReturnRules.Select(r => r.Family));
    }
}
