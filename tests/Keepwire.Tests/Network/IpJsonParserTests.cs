using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Network;

/// <summary>Parsers fed with output captured from iproute2 6.1.</summary>
public class IpJsonParserTests
{
    private const string AddrShow = """
        [{"ifindex":4,"link":"vb","ifname":"va","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"a6:ba:86:2c:6d:7f","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[
          {"family":"inet","local":"203.0.113.5","prefixlen":32,"metric":51820,"scope":"global","label":"va","valid_life_time":4294967295,"preferred_life_time":4294967295},
          {"family":"inet","local":"203.0.113.6","prefixlen":24,"scope":"global","label":"va","valid_life_time":4294967295,"preferred_life_time":4294967295},
          {"family":"inet6","local":"2001:db8::5","prefixlen":128,"metric":51820,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},
          {"family":"inet6","local":"fe80::a4ba:86ff:fe2c:6d7f","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
        """;

    [Fact]
    public void Addresses_keep_prefix_metric_and_scope()
    {
        var addresses = IpJsonParser.ParseAddresses(AddrShow);

        Assert.Equal(
            [
                new InterfaceAddress(IPAddress.Parse("203.0.113.5"), 32, 51820),
                new InterfaceAddress(IPAddress.Parse("203.0.113.6"), 24),
                new InterfaceAddress(IPAddress.Parse("2001:db8::5"), 128, 51820),
                new InterfaceAddress(IPAddress.Parse("fe80::a4ba:86ff:fe2c:6d7f"), 64, null, IsLinkLocal: true),
            ],
            addresses);
    }

    [Fact]
    public void Link_without_addresses_or_empty_output_gives_none()
    {
        Assert.Empty(IpJsonParser.ParseAddresses("""[{"ifindex":2,"ifname":"wg0","flags":["POINTOPOINT","NOARP"],"addr_info":[]}]"""));
        Assert.Empty(IpJsonParser.ParseAddresses(""));
    }

    [Fact]
    public void Routes_of_a_table_per_family()
    {
        var v4 = IpJsonParser.ParseRoutes("""[{"dst":"default","dev":"wg0","scope":"link","flags":[]},{"dst":"10.5.0.0/24","gateway":"10.0.0.1","dev":"eth0","flags":[]}]""", AddressFamily.InterNetwork);
        var v6 = IpJsonParser.ParseRoutes("""[{"dst":"default","dev":"wg0","metric":1024,"flags":[],"pref":"medium"},{"type":"unreachable","dst":"fd00::/8","dev":"lo","flags":[]}]""", AddressFamily.InterNetworkV6);

        Assert.Equal([RouteEntry.DefaultVia("wg0", AddressFamily.InterNetwork), new RouteEntry(IPNetwork.Parse("10.5.0.0/24"), "eth0", IPAddress.Parse("10.0.0.1"))], v4);
        Assert.Equal([RouteEntry.DefaultVia("wg0", AddressFamily.InterNetworkV6)], v6);
    }

    [Fact]
    public void Rules_with_host_and_prefix_sources_and_marks()
    {
        var rules = IpJsonParser.ParseRules(
            """[{"priority":0,"src":"all","table":"local"},{"priority":5182,"src":"10.5.0.2","table":"51999"},{"priority":5183,"src":"10.5.0.0","srclen":24,"table":"51999"},{"priority":100,"src":"all","fwmark":"0x1","table":"51999"},{"priority":5182,"src":"all","fwmark":"0x1000000","fwmask":"0xf000000","table":"52001"},{"priority":32766,"src":"all","table":"main"}]""",
            AddressFamily.InterNetwork);

        Assert.Equal(
            [
                new PolicyRule(0, null, "local", AddressFamily.InterNetwork),
                PolicyRule.FromAddress(IPAddress.Parse("10.5.0.2"), 51999, 5182),
                new PolicyRule(5183, IPNetwork.Parse("10.5.0.0/24"), "51999", AddressFamily.InterNetwork),
                new PolicyRule(100, null, "51999", AddressFamily.InterNetwork) { Mark = new FirewallMark(1, FirewallMark.AllBits) },
                PolicyRule.FromMark(new FirewallMark(0x01000000, 0x0f000000), 52001, 5182, AddressFamily.InterNetwork),
                new PolicyRule(32766, null, "main", AddressFamily.InterNetwork),
            ],
            rules);
    }

    [Fact]
    public void Link_up_flag()
    {
        Assert.True(IpJsonParser.IsLinkUp("""[{"ifindex":3,"ifname":"va","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]}]"""));
        Assert.False(IpJsonParser.IsLinkUp("""[{"ifindex":2,"ifname":"wg0","flags":["POINTOPOINT","MULTICAST","NOARP"],"operstate":"DOWN"}]"""));
    }
}
