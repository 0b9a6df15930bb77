using System.Net;
using System.Security.Cryptography;
using Keepwire.Configuration;
using Keepwire.Lab;
using Keepwire.Model;

namespace Keepwire.Tests.Lab;

/// <summary>The <c>--site-router</c> lab: its LAN hosts, and the two services its config forwards to them, read back by the real loader.</summary>
public sealed class LabSiteRouterConfigTests
{
    [Fact]
    public void A_site_router_lab_adds_two_lan_servers_and_their_services_and_leaves_the_rest_as_it_was()
    {
        var plain = LabTopology.Create("kw1a2b");
        var topology = LabTopology.Create("kw1a2b", siteRouter: true);
        var paths = new LabPaths("/run/keepwire-lab", "kw1a2b");
        var keys = topology.Nodes.ToDictionary(n => n, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        Assert.Equal([.. plain.Hosts, "lan1", "lan2"], topology.Hosts);
        Assert.Equal("kw1a2b-lan1", topology.NamespaceOf("lan1"));
        Assert.Null(plain.Lan);
        Assert.Contains(LabTopology.PossibleLayouts("kw1a2b"), layout => layout.Lan is not null);

        var yaml = LabConfigWriter.Render(topology, paths, keys);
        Assert.StartsWith(LabConfigWriter.Render(plain, paths, keys), yaml, StringComparison.Ordinal);
        var result = ConfigLoader.Parse(yaml, "lab.yaml");
        Assert.True(result.Succeeded, yaml + "\n" + string.Join("\n", result.Errors));

        var lanweb = result.Config!.FindService("lanweb")!;
        Assert.Equal(["alpha", "bravo"], lanweb.Sites);
        Assert.Equal(new SiteBackend(IPAddress.Parse("192.168.50.11"), IPAddress.Parse("fd00:50::11"), false), lanweb.BackendAt("alpha"));
        Assert.Equal(8080, Assert.Single(lanweb.Checks).Port);
        var lansnat = result.Config.FindService("lansnat")!;
        Assert.Equal(new SiteBackend(IPAddress.Parse("192.168.50.12"), IPAddress.Parse("fd00:50::12"), true), lansnat.BackendAt("alpha"));
        Assert.Null(lansnat.BackendAt("bravo"));
    }
}
