using System.Net;
using Keepwire.Lab;

namespace Keepwire.Tests.Lab;

/// <summary>The hub-pair layout: two hubs on the public segment, every site with one interface per hub.</summary>
public sealed class LabPairTopologyTests
{
    private readonly LabTopology pair = LabTopology.Create("kw1a2b", hubPair: true);

    [Fact]
    public void Two_hubs_have_their_own_namespace_address_interface_port_and_name_and_share_the_tunnel_network()
    {
        Assert.True(pair.IsHubPair);
        Assert.Equal(["hub1", "hub2"], pair.Hubs.Select(h => h.Name));
        Assert.Equal(["kw1a2b-hub1", "kw1a2b-hub2"], pair.Hubs.Select(h => h.Namespace));
        Assert.Equal(["kw1a2bh1", "kw1a2bh2"], pair.Hubs.Select(h => h.WireGuardInterface));
        Assert.Equal(["hub1.lab.test:51820", "hub2.lab.test:51830"], pair.Hubs.Select(h => h.Endpoint));
        Assert.Equal([IPAddress.Parse("203.0.113.1"), IPAddress.Parse("203.0.113.2")], pair.Hubs.Select(h => h.Public.IPv4));
        Assert.Equal([IPAddress.Parse("2001:db8:113::1"), IPAddress.Parse("2001:db8:113::2")], pair.Hubs.Select(h => h.Public.IPv6));
        Assert.Equal([IPAddress.Parse("10.77.0.1"), IPAddress.Parse("10.77.0.2")], pair.Hubs.Select(h => h.Tunnel.IPv4));
        Assert.Equal([IPAddress.Parse("fd77::1"), IPAddress.Parse("fd77::2")], pair.Hubs.Select(h => h.Tunnel.IPv6));
        Assert.All(pair.Hubs, h => Assert.Equal((24, 64), (h.TunnelPrefixLengthIPv4, h.TunnelPrefixLengthIPv6)));
        Assert.All(pair.Hubs, h => Assert.Equal("eth0", h.PublicInterface));
        Assert.Equal([150, 100], pair.Hubs.Select(h => h.VrrpPriority));
        Assert.Same(pair.Hubs[0], pair.Hub);
    }

    [Fact]
    public void Every_site_has_one_interface_per_hub_and_one_tunnel_address()
    {
        var alpha = pair.Site("alpha");

        Assert.Equal([new LabWireGuardLink("hub1", "kw1a2ba1"), new LabWireGuardLink("hub2", "kw1a2ba2")], alpha.WireGuardLinks);
        Assert.Equal("kw1a2ba1", alpha.WireGuardInterface);
        Assert.Equal("kw1a2ba2", alpha.InterfaceFor("hub2"));
        Assert.Throws<ArgumentException>(() => alpha.InterfaceFor("hub"));
        Assert.Equal(IPAddress.Parse("10.77.0.11"), alpha.Tunnel.IPv4);
        Assert.True(pair.Site("charlie").BehindNat);
    }

    [Fact]
    public void The_vips_and_every_public_host_share_one_on_link_segment()
    {
        // VRRP moves the VIPs by ARP/ND: clients must find them on the bridge, not through a router.
        var segmentV4 = new IPNetwork(IPAddress.Parse("203.0.113.0"), pair.PublicPrefixLengthIPv4);
        var segmentV6 = new IPNetwork(IPAddress.Parse("2001:db8:113::"), pair.PublicPrefixLengthIPv6);

        Assert.True(segmentV4.Contains(pair.Vips.IPv4) && segmentV6.Contains(pair.Vips.IPv6));
        Assert.True(segmentV4.Contains(pair.InternetGateway.IPv4) && segmentV6.Contains(pair.InternetGateway.IPv6));
        Assert.All(pair.PublicHosts, h => Assert.True(segmentV4.Contains(h.Address.IPv4) && segmentV6.Contains(h.Address.IPv6), h.Host));
        Assert.Equal(["hub1", "hub2", "alpha", "bravo", "nat", "client"], pair.PublicHosts.Select(h => h.Host));
        Assert.DoesNotContain(pair.Vips.IPv4, pair.PublicHosts.Select(h => h.Address.IPv4));
        Assert.Equal(pair.PublicHosts.Count(), pair.PublicHosts.Select(h => h.Address.IPv4).Distinct().Count());
    }

    [Fact]
    public void Hosts_nodes_and_namespaces_name_both_hubs_and_no_single_hub()
    {
        Assert.Equal(["net", "hub1", "hub2", "alpha", "bravo", "nat", "charlie", "client"], pair.Hosts);
        Assert.Equal(["hub1", "hub2", "alpha", "bravo", "charlie"], pair.Nodes);
        Assert.Equal("kw1a2b-hub2", pair.NamespaceOfNode("hub2"));
        Assert.Equal("kw1a2bh2", pair.WireGuardInterfaceOf("hub2"));
        Assert.True(pair.IsHub("hub1"));
        Assert.False(pair.IsHub("alpha"));
        Assert.Throws<ArgumentException>(() => pair.NamespaceOf("hub"));
        Assert.Throws<ArgumentException>(() => pair.HubNamed("hub3"));
    }

    [Fact]
    public void Every_interface_name_is_distinct_and_fits_with_the_longest_pair_prefix()
    {
        var longest = LabTopology.Create(new string('a', LabNaming.MaxPairPrefixLength), hubPair: true);

        Assert.Equal(8, longest.WireGuardInterfaces.Distinct().Count());
        Assert.All(longest.WireGuardInterfaces, name => Assert.True(name.Length <= 15, name));
    }

    [Fact]
    public void A_prefix_too_long_for_a_pair_is_refused_with_the_limit()
    {
        var prefix = new string('a', LabNaming.MaxPrefixLength);

        var error = Assert.Throws<ArgumentException>(() => LabTopology.Create(prefix, hubPair: true));

        Assert.Contains("at most 13 characters", error.Message, StringComparison.Ordinal);
        Assert.False(LabTopology.Create(prefix).IsHubPair);
    }

    [Fact]
    public void Cleanup_knows_the_names_of_both_layouts_when_the_prefix_allows_a_pair()
    {
        Assert.Equal([false, true], LabTopology.PossibleLayouts("kw1a2b").Select(t => t.IsHubPair));
        Assert.Equal([false], LabTopology.PossibleLayouts(new string('a', LabNaming.MaxPrefixLength)).Select(t => t.IsHubPair));
    }

    [Fact]
    public void The_single_hub_layout_keeps_its_names()
    {
        var single = LabTopology.Create("kw1a2b");

        Assert.False(single.IsHubPair);
        Assert.Equal("hub", Assert.Single(single.Hubs).Name);
        Assert.Equal(LabNaming.Hosts, single.Hosts);
        Assert.Equal(["kw1a2bh", "kw1a2ba", "kw1a2bb", "kw1a2bc"], single.WireGuardInterfaces);
        Assert.Null(single.Hub.VrrpPriority);
    }

    [Fact]
    public void The_partition_drops_frames_between_the_two_hub_ports_both_ways_and_needs_a_pair()
    {
        var ruleset = LabHubPartition.Ruleset(pair);

        Assert.Contains("table bridge keepwire_lab_partition", ruleset, StringComparison.Ordinal);
        Assert.Contains("iifname \"hub1\" oifname \"hub2\" drop", ruleset, StringComparison.Ordinal);
        Assert.Contains("iifname \"hub2\" oifname \"hub1\" drop", ruleset, StringComparison.Ordinal);
        Assert.Throws<LabException>(() => LabHubPartition.Ruleset(LabTopology.Create("kw1a2b")));
    }
}
