using System.Net;
using Keepwire.Lab;

namespace Keepwire.Tests.Lab;

public class LabNatRouterTests
{
    [Fact]
    public void The_inside_networks_are_the_routers_prefixes_with_the_host_bits_cleared()
    {
        var nat = LabTopology.Create("kwt1").Nat;

        Assert.Equal([IPNetwork.Parse("192.168.13.0/24"), IPNetwork.Parse("fd00:13::/64")], nat.InsideNetworks);
    }

    [Fact]
    public void The_unanswered_next_hop_is_on_the_public_segment_and_belongs_to_no_host()
    {
        var topology = LabTopology.Create("kwt1");
        var publicV4 = new IPNetwork(IPAddress.Parse("203.0.113.0"), topology.PublicPrefixLengthIPv4);
        var publicV6 = new IPNetwork(IPAddress.Parse("2001:db8:113::"), topology.PublicPrefixLengthIPv6);
        IPAddress[] taken =
        [
            .. topology.Hubs.SelectMany(h => h.Public.Both), .. topology.Sites.SelectMany(s => s.Host.Both),
            .. topology.Nat.Outside.Both, .. topology.Client.Both, .. topology.Vips.Both, .. topology.InternetGateway.Both,
        ];

        Assert.True(publicV4.Contains(topology.UnansweredNextHop.IPv4));
        Assert.True(publicV6.Contains(topology.UnansweredNextHop.IPv6));
        Assert.DoesNotContain(topology.UnansweredNextHop.IPv4, taken);
        Assert.DoesNotContain(topology.UnansweredNextHop.IPv6, taken);
    }
}
