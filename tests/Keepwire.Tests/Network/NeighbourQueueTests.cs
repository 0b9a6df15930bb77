using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Network;

/// <summary>Which interfaces the hub caps the unresolved-neighbour queue on, and when it lowers the setting.</summary>
public class NeighbourQueueTests
{
    [Fact]
    public void Public_interface_and_default_route_interfaces_are_capped_once_each()
    {
        RouteEntry[] routes =
        [
            new(IPNetwork.Parse("0.0.0.0/0"), "eth0", IPAddress.Parse("203.0.113.254")),
            new(IPNetwork.Parse("::/0"), "eth1", IPAddress.Parse("fe80::1")),
            new(IPNetwork.Parse("203.0.113.0/24"), "eth0"),
            new(IPNetwork.Parse("10.0.0.0/8"), "lan0"),
        ];

        Assert.Equal(["eth0", "eth1"], HubNetworkReconciler.NeighbourQueues.Devices("eth0", routes));
        Assert.Equal(["vip0", "eth0", "eth1"], HubNetworkReconciler.NeighbourQueues.Devices("vip0", routes));
    }

    [Fact]
    public void Without_public_interface_or_device_only_default_routes_with_a_device_count()
    {
        RouteEntry[] routes = [new(IPNetwork.Parse("0.0.0.0/0"), null, IPAddress.Parse("203.0.113.254"))];

        Assert.Empty(HubNetworkReconciler.NeighbourQueues.Devices(null, routes));
        Assert.Equal(["eth0"], HubNetworkReconciler.NeighbourQueues.Devices(null, [RouteEntry.DefaultVia("eth0", AddressFamily.InterNetworkV6)]));
    }

    [Theory]
    [InlineData("212992", true)]
    [InlineData("8193", true)]
    [InlineData("8192", false)]
    [InlineData("4096", false)]
    [InlineData(null, false)]
    [InlineData("garbage", false)]
    public void Only_a_larger_setting_is_lowered(string? current, bool lowered)
    {
        Assert.Equal(lowered, HubNetworkReconciler.NeighbourQueues.NeedsCap(current));
    }

    [Fact]
    public void Keys_name_the_family_and_the_interface()
    {
        Assert.Equal("net/ipv4/neigh/eth0.100/unres_qlen_bytes", SysctlKeys.UnresolvedQueueBytes("eth0.100", AddressFamily.InterNetwork));
        Assert.Equal("net/ipv6/neigh/eth0/unres_qlen_bytes", SysctlKeys.UnresolvedQueueBytes("eth0", AddressFamily.InterNetworkV6));
    }
}
