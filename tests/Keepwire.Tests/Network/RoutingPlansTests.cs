using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Network;

public class RoutingPlansTests
{
    private static InterfaceAddress Address(string text, int prefix, int? metric = null) => new(IPAddress.Parse(text), prefix, metric);

    [Fact]
    public void Addresses_with_wrong_prefix_are_replaced_and_link_local_kept()
    {
        var actual = new[] { Address("10.77.0.1", 16), new InterfaceAddress(IPAddress.Parse("fe80::1"), 64, null, IsLinkLocal: true), Address("fd77::1", 64) };
        var desired = new[] { Address("10.77.0.1", 24), Address("fd77::1", 64) };

        var change = RoutingPlans.Addresses(actual, desired, _ => true);

        Assert.Equal([Address("10.77.0.1", 24)], change.Added);
        Assert.Equal([Address("10.77.0.1", 16)], change.Removed);
    }

    [Fact]
    public void Addresses_not_owned_are_never_removed()
    {
        var actual = new[] { Address("203.0.113.10", 24), Address("203.0.113.20", 32, 51820), Address("203.0.113.30", 32, 51820) };
        var desired = new[] { Address("203.0.113.20", 32, 51820) };

        var change = RoutingPlans.Addresses(actual, desired, a => a.Metric == 51820);

        Assert.Empty(change.Added);
        Assert.Equal([Address("203.0.113.30", 32, 51820)], change.Removed);
    }

    [Fact]
    public void Matching_state_is_an_empty_change()
    {
        var routes = new[] { RouteEntry.DefaultVia("wg0", AddressFamily.InterNetwork), RouteEntry.DefaultVia("wg0", AddressFamily.InterNetworkV6) };
        var rules = new[] { PolicyRule.FromAddress(IPAddress.Parse("10.77.0.2"), 51900, 5182) };

        Assert.True(RoutingPlans.Routes(routes, routes).IsEmpty);
        Assert.True(RoutingPlans.Rules([new PolicyRule(0, null, "local", AddressFamily.InterNetwork), .. rules], rules, 51900).IsEmpty);
        Assert.True(RoutingPlans.Addresses([Address("10.77.0.2", 24)], [Address("10.77.0.2", 24)], _ => true).IsEmpty);
    }

    [Fact]
    public void Only_rules_of_our_table_are_touched()
    {
        var old = PolicyRule.FromAddress(IPAddress.Parse("10.77.0.9"), 51900, 5182);
        var foreign = PolicyRule.FromAddress(IPAddress.Parse("10.77.0.9"), 100, 5182);
        var wanted = PolicyRule.FromAddress(IPAddress.Parse("10.77.0.2"), 51900, 5182);

        var change = RoutingPlans.Rules([old, foreign], [wanted], 51900);

        Assert.Equal([wanted], change.Added);
        Assert.Equal([old], change.Removed);
    }

    [Fact]
    public void Routes_in_our_table_that_are_not_wanted_go()
    {
        var stray = new RouteEntry(IPNetwork.Parse("192.168.0.0/16"), "eth0");
        var wanted = RouteEntry.DefaultVia("wg0", AddressFamily.InterNetwork);

        var change = RoutingPlans.Routes([stray], [wanted]);

        Assert.Equal([wanted], change.Added);
        Assert.Equal([stray], change.Removed);
    }

    [Fact]
    public void In_a_shared_table_only_owned_routes_go()
    {
        var operators = new RouteEntry(IPNetwork.Parse("192.168.0.0/16"), "eth0");
        var staleHost = new RouteEntry(IPNetwork.Parse("10.77.0.9/32"), "kw0");
        var wanted = new RouteEntry(IPNetwork.Parse("10.77.0.1/32"), "kw0");

        var change = RoutingPlans.Routes([operators, staleHost], [wanted], route => route.Device == "kw0");

        Assert.Equal([wanted], change.Added);
        Assert.Equal([staleHost], change.Removed);
    }
}
