using System.Net;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class VipOwnershipTests
{
    // Captured from `ip -j addr show dev eth0` on a hub namespace holding one of the two VIPs.
    private const string OneVipOnEth0 = """
        [{"ifindex":2,"link_index":3,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"a6:5c:56:b1:e9:61","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"198.51.100.2","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"203.0.113.10","prefixlen":32,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"2001:db8::2","prefixlen":64,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::a45c:56ff:feb1:e961","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
        """;

    private static readonly IPAddress[] Vips = [IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8:5::10")];

    [Fact]
    public async Task Reports_which_vips_are_on_the_interface()
    {
        var runner = new FakeCommandRunner((_, _, _) => (0, OneVipOnEth0, ""));

        var holding = await new VipOwnership(new RoutingCli(runner)).ReadAsync("eth0", Vips);

        Assert.Equal(["ip -j addr show dev eth0"], runner.Calls.Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}"));
        Assert.Equal([Vips[0]], holding.Held);
        Assert.Equal([Vips[1]], holding.Missing);
        Assert.True(holding.Any);
        Assert.False(holding.All);
    }

    [Fact]
    public async Task A_missing_interface_holds_no_vip()
    {
        var runner = new FakeCommandRunner((_, _, _) => (1, "", "Device \"eth0\" does not exist.\n"));

        var holding = await new VipOwnership(new RoutingCli(runner)).ReadAsync("eth0", Vips);

        Assert.False(holding.Any);
        Assert.Equal(Vips, holding.Missing);
    }
}
