using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

/// <summary>A service's <c>backends:</c>: the LAN servers behind router sites, and every way to write them wrong.</summary>
public sealed class SiteBackendConfigTests
{
    /// <summary>The base config with web served by alpha and bravo, and <paramref name="backends"/> as line 16.</summary>
    private static ConfigText WithBackends(string backends) =>
        ConfigText.Base.Replace(15, "    sites: [alpha, bravo]").Append(/* 16 */ $"    backends: {backends}");

    private static ServiceConfig Web(ConfigText text)
    {
        var result = ConfigLoader.Parse(text.ToString(), "router.yaml");
        Assert.Empty(result.Errors);
        return result.Config!.Services.Single(s => s.Name == "web");
    }

    [Fact]
    public void A_backend_is_the_lan_server_a_router_site_forwards_to_and_other_sites_serve_themselves()
    {
        var web = Web(WithBackends("{ alpha: 192.168.50.10 }"));

        Assert.Equal(new SiteBackend(IPAddress.Parse("192.168.50.10"), null, false), web.BackendAt("alpha"));
        Assert.Null(web.BackendAt("bravo"));
    }

    [Fact]
    public void A_backend_may_have_one_address_per_family_and_opt_in_to_masquerade()
    {
        Assert.Equal(
            new SiteBackend(IPAddress.Parse("192.168.50.10"), IPAddress.Parse("fd00:50::10"), false),
            Web(WithBackends("{ alpha: [192.168.50.10, \"fd00:50::10\"] }")).BackendAt("alpha"));
        Assert.Equal(
            new SiteBackend(IPAddress.Parse("192.168.50.10"), null, true),
            Web(WithBackends("{ alpha: { address: 192.168.50.10, masquerade: true } }")).BackendAt("alpha"));
        Assert.Empty(Web(ConfigText.Base).Backends);
    }

    [Theory]
    [InlineData("{ charlie: 192.168.50.10 }", 16, 17, "names site 'charlie', which is not one of its sites")]
    [InlineData("{ alpha: 192.168.50.10/24 }", 16, 24, "has a prefix length")]
    [InlineData("{ alpha: 127.0.0.1 }", 16, 24, "not a unicast address")]
    [InlineData("{ alpha: [192.168.50.10, 192.168.50.11] }", 16, 40, "has a second IPv4 address")]
    [InlineData("{ alpha: 10.77.0.50 }", 16, 24, "inside the tunnel network 10.77.0.0/24")]
    [InlineData("{ alpha: 203.0.113.80 }", 16, 24, "is VIP 203.0.113.80 of service 'web'")]
    [InlineData("{ alpha: { address: 192.168.50.10, masquerade: yes } }", 16, 62, "masquerade must be true or false")]
    [InlineData("{ alpha: { address: 192.168.50.10, masqerade: true } }", 16, 50, "did you mean 'masquerade'?")]
    [InlineData("[192.168.50.10]", 16, 15, "must be a mapping of site names to LAN addresses")]
    [InlineData("{ alpha: }", 16, 17, "has no address")]
    public void Bad_backends_are_reported_where_they_are(string backends, int line, int column, string fragment) =>
        WithBackends(backends).AssertSingleError("router.yaml", line, column, fragment);

    [Fact]
    public void An_ipv6_vip_needs_an_ipv6_backend_at_a_router_site()
    {
        var text = WithBackends("{ alpha: 192.168.50.10 }").Replace(13, "    vips: [203.0.113.80, \"2001:db8::80\"]");
        text.AssertSingleError("router.yaml", 16, 24, "has no IPv6 address, but the hub forwards IPv6 VIP 2001:db8::80");
        WithBackends("{ alpha: [192.168.50.10, \"fd00:50::10\"] }").Replace(13, "    vips: [203.0.113.80, \"2001:db8::80\"]").AssertValid("router.yaml");
    }

    [Fact]
    public void A_site_without_the_agent_cannot_forward() =>
        WithBackends("{ bravo: 192.168.50.10 }").InsertAfter(10, "    mode: snat")
            .AssertSingleError("router.yaml", 17, 17, "runs no agent (mode: snat)");

    [Fact]
    public void A_routed_service_has_no_backends() =>
        ConfigText.Base.Append(
            /* 16 */ "  - name: mail",
            /* 17 */ "    mode: routed",
            /* 18 */ "    addresses: [198.51.100.90]",
            /* 19 */ "    allow: [tcp/25]",
            /* 20 */ "    sites: [alpha]",
            /* 21 */ "    backends: { alpha: 192.168.50.10 }").AssertSingleError("router.yaml", 21, 5, "'backends' does not apply to routed service 'mail'");

    [Fact]
    public void A_port_of_the_router_goes_to_one_place()
    {
        // web forwards alpha's tcp/80 to a LAN server; a second service on another VIP that alpha serves itself on tcp/80 clashes.
        var clash = WithBackends("{ alpha: 192.168.50.10 }").Append(
            /* 17 */ "  - name: blog",
            /* 18 */ "    vips: [203.0.113.81]",
            /* 19 */ "    ports: [tcp/80]",
            /* 20 */ "    sites: [alpha]");
        clash.AssertSingleError("router.yaml", 19, 13, "tcp/80 at site 'alpha' is taken by service 'web', forwarded to 192.168.50.10 (line 14)");

        // Mapped to another port at the site, it is fine; so is the same LAN server behind two services.
        clash.Replace(19, "    ports: [tcp/80:8080]").AssertValid("router.yaml");
        clash.Append("    backends: { alpha: 192.168.50.10 }").AssertValid("router.yaml");
    }

    [Fact]
    public void A_check_port_is_forwarded_too_so_it_cannot_be_the_sites_own()
    {
        // web's check probes alpha's tcp/8080, which blog (served by alpha itself) uses.
        WithBackends("{ alpha: 192.168.50.10 }").Append(
            /* 17 */ "    checks: [{ type: http, port: 8080 }]",
            /* 18 */ "  - name: blog",
            /* 19 */ "    vips: [203.0.113.81]",
            /* 20 */ "    ports: [tcp/8080]",
            /* 21 */ "    sites: [alpha]").AssertSingleError("router.yaml", 20, 13, "tcp/8080 at site 'alpha' is taken by service 'web', forwarded to 192.168.50.10 (line 16)");
    }

    [Fact]
    public void In_a_hub_pair_the_sync_port_the_sites_relay_is_not_forwarded()
    {
        var pair = ConfigText.Pair.ToString().Replace("    ports: [tcp/80]\n", "    ports: [tcp/80, udp/51800-51900]\n", StringComparison.Ordinal)
            .Replace("    sites: [alpha]\n", "    sites: [alpha]\n    backends: { alpha: 192.168.50.10 }\n", StringComparison.Ordinal);
        var result = ConfigLoader.Parse(pair, "pair.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("udp/51800-51900 at site 'alpha' is taken by the hub pair's sync, which the site relays", error.Message, StringComparison.Ordinal);
    }
}
