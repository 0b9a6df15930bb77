using System.Net;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Reconciliation;

public sealed class HubDataPlaneBuilderTests
{
    private static readonly WireGuardKey AnyKey = WireGuardKey.Parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");

    private static readonly HubNode Hub = new(
        "hub1",
        new HostEndpoint("hub.example.net", 51820),
        51820,
        "kw0",
        "eth0",
        AnyKey,
        "/etc/keepwire/hub.key",
        new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64),
        [IPNetwork.Parse("10.77.0.0/24")]);

    private static SiteNode Site(string name, string? v4, string? v6, SiteMode mode = SiteMode.Agent) => new(
        name, AnyKey, 100, mode,
        TunnelAddresses.Host(v4 is null ? null : IPAddress.Parse(v4), v6 is null ? null : IPAddress.Parse(v6)),
        "kw0", $"/etc/keepwire/{name}.key", 25);

    private static readonly ServiceConfig Web = new(
        "web",
        [IPAddress.Parse("198.51.100.10"), IPAddress.Parse("2001:db8::10")],
        [
            new PortRule(TransportProtocol.Tcp, 443, 443, null),
            new PortRule(TransportProtocol.Tcp, 8443, 8443, 443),
            new PortRule(TransportProtocol.Udp, 10000, 10100, null),
        ],
        ["a", "b"]);

    private static readonly ServiceConfig Mail = new(
        "mail",
        [IPAddress.Parse("198.51.100.25")],
        [new PortRule(TransportProtocol.Tcp, 25, 25, null)],
        ["a", "c"]);

    private static ClusterConfig Config(params SiteNode[] sites) =>
        new("/etc/keepwire/cluster.yaml", [Hub], sites, [Web, Mail]);

    [Fact]
    public void Forwards_every_vip_and_port_to_the_serving_sites_tunnel_address_of_the_vips_family()
    {
        var config = Config(Site("a", "10.77.0.2", "fd77::2"), Site("b", "10.77.0.3", "fd77::3"));

        var plane = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string> { ["web"] = "b" });

        Assert.Equal(
            [
                "web 198.51.100.10 Tcp 443-443 -> 10.77.0.3:443",
                "web 198.51.100.10 Tcp 8443-8443 -> 10.77.0.3:443",
                "web 198.51.100.10 Udp 10000-10100 -> 10.77.0.3:10000",
                "web 2001:db8::10 Tcp 443-443 -> fd77::3:443",
                "web 2001:db8::10 Tcp 8443-8443 -> fd77::3:443",
                "web 2001:db8::10 Udp 10000-10100 -> fd77::3:10000",
            ],
            plane.Rules.Select(Describe));
    }

    [Fact]
    public void Skips_a_vip_whose_family_the_serving_site_lacks()
    {
        var config = Config(Site("a", "10.77.0.2", null));

        var plane = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string> { ["web"] = "a" });

        Assert.NotEmpty(plane.Rules);
        Assert.All(plane.Rules, r => Assert.Equal(IPAddress.Parse("198.51.100.10"), r.Vip));
    }

    [Fact]
    public void Forwards_only_services_with_a_known_serving_site_that_may_serve_them()
    {
        var config = Config(Site("a", "10.77.0.2", null), Site("b", "10.77.0.3", null));

        var plane = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string>
        {
            ["mail"] = "b", // b is not one of mail's sites
            ["ghost"] = "a", // no such service
        });
        var noDecision = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string>());
        var unknownSite = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string> { ["web"] = "gone" });

        Assert.Empty(plane.Rules);
        Assert.Empty(noDecision.Rules);
        Assert.Empty(unknownSite.Rules);
    }

    [Fact]
    public void Takes_snat_backends_from_snat_sites_and_interface_and_allowed_sources_from_the_hub()
    {
        var config = Config(Site("a", "10.77.0.2", "fd77::2"), Site("c", "10.77.0.4", "fd77::4", SiteMode.Snat));

        var plane = HubDataPlaneBuilder.Build(config, Hub, new Dictionary<string, string> { ["mail"] = "c" });

        Assert.Equal([IPAddress.Parse("10.77.0.4"), IPAddress.Parse("fd77::4")], plane.SnatBackends);
        Assert.Equal("kw0", plane.TunnelInterface);
        Assert.Equal(Hub.AllowForwardFrom, plane.AllowForwardFrom);
        Assert.Equal("mail 198.51.100.25 Tcp 25-25 -> 10.77.0.4:25", Describe(Assert.Single(plane.Rules)));
    }

    private static string Describe(ForwardingRule r) =>
        $"{r.Service} {r.Vip} {r.Protocol} {r.FirstPort}-{r.LastPort} -> {r.Backend}:{r.BackendPort}";
}
