using System.Net;
using System.Security.Cryptography;
using Keepwire.Configuration;
using Keepwire.Lab;
using Keepwire.Model;

namespace Keepwire.Tests.Lab;

/// <summary>The config a lab writes is read back by the real loader into the lab's topology.</summary>
public sealed class LabConfigWriterTests
{
    private readonly LabTopology topology = LabTopology.Create("kw1a2b");
    private readonly LabPaths paths = new("/run/keepwire-lab", "kw1a2b");
    private readonly Dictionary<string, string> publicKeys;
    private readonly ClusterConfig config;

    public LabConfigWriterTests()
    {
        publicKeys = topology.Nodes.ToDictionary(n => n, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var yaml = LabConfigWriter.Render(topology, paths, publicKeys);
        var result = ConfigLoader.Parse(yaml, "lab.yaml");
        Assert.True(result.Succeeded, yaml + "\n" + string.Join("\n", result.Errors));
        config = result.Config!;
    }

    [Fact]
    public void The_hub_is_dialled_by_name_and_holds_the_vips_on_eth0()
    {
        var hub = Assert.Single(config.Hubs);

        Assert.Equal(new HostEndpoint("hub.lab.test", 51820), hub.Endpoint);
        Assert.Equal(51820, hub.ListenPort);
        Assert.Equal("kw1a2bh", hub.Interface);
        Assert.Equal("eth0", hub.PublicInterface);
        Assert.Equal(publicKeys["hub"], hub.PublicKey.Base64);
        Assert.Equal("/run/keepwire-lab/kw1a2b/keys/hub.key", hub.PrivateKeyFile);
        Assert.Equal(new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), hub.Tunnel);
    }

    [Fact]
    public void Sites_have_their_own_keys_interfaces_priorities_and_tunnel_addresses()
    {
        Assert.Equal(["alpha", "bravo", "charlie"], config.Sites.Select(s => s.Name));
        foreach (var site in config.Sites)
        {
            var expected = topology.Site(site.Name);
            Assert.Equal(expected.Priority, site.Priority);
            Assert.Equal(expected.WireGuardInterface, site.Interface);
            Assert.Equal(SiteMode.Agent, site.Mode);
            Assert.Equal(publicKeys[site.Name], site.PublicKey.Base64);
            Assert.Equal(paths.PrivateKeyFile(site.Name), site.PrivateKeyFile);
            Assert.Equal(TunnelAddresses.Host(expected.Tunnel.IPv4, expected.Tunnel.IPv6), site.Tunnel);
            Assert.Equal(5, site.PersistentKeepalive);
        }
        Assert.Equal([300, 200, 100], config.Sites.Select(s => s.Priority));
    }

    [Fact]
    public void Every_site_runs_one_local_check_that_passes_until_its_flag_file_exists()
    {
        foreach (var site in config.Sites)
        {
            var check = Assert.Single(site.LocalChecks);
            Assert.Equal("unhealthy-flag", check.Name);
            Assert.Equal(["test", "!", "-e", $"/run/keepwire-lab/kw1a2b/sites/{site.Name}.local-check-fails"], check.Command);
        }
    }

    [Fact]
    public void Web_and_echo_are_offered_on_both_vips_by_every_site()
    {
        Assert.Equal(["web", "echo"], config.Services.Select(s => s.Name));
        Assert.All(config.Services, s => Assert.Equal([IPAddress.Parse("203.0.113.80"), IPAddress.Parse("2001:db8:113::80")], s.Vips));
        Assert.All(config.Services, s => Assert.Equal(["alpha", "bravo", "charlie"], s.Sites));
        Assert.Equal("tcp/80", Assert.Single(config.FindService("web")!.Ports).ToString());
        Assert.Equal("udp/7", Assert.Single(config.FindService("echo")!.Ports).ToString());
    }
}
