using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class RoutedServiceConfigTests
{
    /// <summary>The base config with a routed service after web (lines 16-20).</summary>
    private static ConfigText WithRouted(string addresses, string allow = "[tcp/25, udp/443]") =>
        ConfigText.Base.Append(
            /* 16 */ "  - name: mail",
            /* 17 */ "    mode: routed",
            /* 18 */ $"    addresses: {addresses}",
            /* 19 */ $"    allow: {allow}",
            /* 20 */ "    sites: [alpha, bravo]");

    [Fact]
    public void A_routed_service_has_its_prefixes_and_allowed_ports_and_no_vips()
    {
        var result = ConfigLoader.Parse(WithRouted("[198.51.100.90, \"2001:db8:90::/64\"]").ToString(), "routed.yaml");

        Assert.Empty(result.Errors);
        var mail = result.Config!.Services.Single(s => s.Name == "mail");
        Assert.Equal(ServiceMode.Routed, mail.Mode);
        Assert.Equal([IPNetwork.Parse("198.51.100.90/32"), IPNetwork.Parse("2001:db8:90::/64")], mail.RoutedPrefixes);
        Assert.Empty(mail.Vips);
        Assert.Equal(["tcp/25", "udp/443"], mail.Ports.Select(p => p.ToString()));
        Assert.False(mail.AllowsAllPorts);
        // The default check probes the first allowed TCP port at each site's tunnel address.
        Assert.Equal(25, Assert.Single(mail.Checks).Port);
        Assert.Equal(ServiceMode.Dnat, result.Config.Services.Single(s => s.Name == "web").Mode);
    }

    [Fact]
    public void Allow_all_needs_an_explicit_check()
    {
        WithRouted("[198.51.100.90]", "all").AssertSingleError("routed.yaml", 16, 5, "add checks:");
        WithRouted("[198.51.100.90]", "all").Append("    checks: [{ type: tcp, port: 443 }]").AssertValid("routed.yaml");
    }

    [Theory]
    [InlineData("[198.51.100.0/24]", 18, 17, "IPv4 is routed one address (/32) at a time")]
    [InlineData("[\"2001::/16\"]", 18, 17, "shorter than /32")]
    [InlineData("[203.0.113.80]", 18, 17, "contains VIP 203.0.113.80 of service 'web'")]
    [InlineData("[10.77.0.50]", 18, 17, "overlaps the tunnel network 10.77.0.0/24")]
    [InlineData("[\"2001:db8:90::/64\", \"2001:db8:90::5\"]", 18, 37, "overlaps 2001:db8:90::/64")]
    [InlineData("[\"2001:db8:90::1/64\"]", 18, 17, "has host bits set")]
    public void Bad_routed_addresses_are_reported_where_they_are(string addresses, int line, int column, string fragment) =>
        WithRouted(addresses).AssertSingleError("routed.yaml", line, column, fragment);

    [Fact]
    public void A_routed_service_cannot_remap_a_port() =>
        WithRouted("[198.51.100.90]", "[tcp/8443:443]").AssertSingleError("routed.yaml", 19, 13, "the site sees the port the client used");

    [Fact]
    public void Vips_and_ports_do_not_apply_to_a_routed_service_nor_addresses_to_a_dnat_one()
    {
        WithRouted("[198.51.100.90]").Append("    vips: [198.51.100.91]").AssertSingleError("routed.yaml", 21, 5, "'vips' does not apply to routed service 'mail'");
        ConfigText.Base.Append("    addresses: [198.51.100.90]").AssertSingleError("routed.yaml", 16, 5, "add 'mode: routed'");
    }

    [Fact]
    public void An_unknown_mode_is_named() =>
        WithRouted("[198.51.100.90]").Replace(17, "    mode: nat").AssertSingleError("routed.yaml", 17, 11, "unknown service mode 'nat'");

    [Fact]
    public void Two_routed_services_cannot_share_an_address() =>
        WithRouted("[\"2001:db8:90::/56\"]").Append(
            "  - name: other",
            "    mode: routed",
            "    addresses: [\"2001:db8:90:1::/64\"]",
            "    allow: [tcp/80]",
            "    sites: [alpha]").AssertSingleError("routed.yaml", 23, 17, "overlaps 2001:db8:90::/56 of service 'mail'");

    /// <summary>The pair config with a routed service after web (lines 24-28).</summary>
    private static ConfigText PairWithRouted(string addresses) =>
        ConfigText.Pair.Append(
            /* 24 */ "  - name: mail",
            /* 25 */ "    mode: routed",
            /* 26 */ $"    addresses: {addresses}",
            /* 27 */ "    allow: [tcp/25]",
            /* 28 */ "    sites: [alpha, bravo]");

    [Fact]
    public void A_hub_pair_routes_a_routed_service_through_a_vip_of_its_family()
    {
        PairWithRouted("[198.51.100.90]").AssertValid("pair.yaml");
        // web's VIP is IPv4 only: nothing in the pair moves for an IPv6 prefix to be routed through.
        PairWithRouted("[198.51.100.90, \"2001:db8:90::/64\"]").AssertSingleError("pair.yaml", 25, 5, "the hub pair holds no IPv6 VIP");
        PairWithRouted("[\"2001:db8:90::/64\"]").Replace(21, "    vips: [203.0.113.80, \"2001:db8:80::1\"]").AssertValid("pair.yaml");
    }

    [Fact]
    public void A_provider_moved_pair_refuses_routed_services() =>
        PairWithRouted("[198.51.100.90]")
            .Replace(13, "  vip_mover: provider", "  provider_hook: { command: [/usr/bin/true] }")
            .AssertSingleError("pair.yaml", 26, 5, "needs hub_pair.vip_mover: arp");
}
