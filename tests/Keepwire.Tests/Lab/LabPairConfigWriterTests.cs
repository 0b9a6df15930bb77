using System.Security.Cryptography;
using Keepwire.Configuration;
using Keepwire.Lab;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Tests.Lab;

/// <summary>
/// The config a hub-pair lab writes, read as YAML: the keys of the hub-pair design (plan/hubpair.md).
/// The real loader learns those keys with the pair config work; until then only the one test that
/// loads it waits (skipped), the others check the document itself.
/// </summary>
public sealed class LabPairConfigWriterTests
{

    private readonly LabTopology topology = LabTopology.Create("kw1a2b", hubPair: true);
    private readonly LabPaths paths = new("/run/keepwire-lab", "kw1a2b");
    private readonly Dictionary<string, string> publicKeys;
    private readonly string yaml;
    private readonly YamlMappingNode root;

    public LabPairConfigWriterTests()
    {
        publicKeys = topology.Nodes.ToDictionary(n => n, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        yaml = LabConfigWriter.Render(topology, paths, publicKeys);
        root = Load(yaml);
    }

    [Fact]
    public void Both_hubs_have_their_own_endpoint_key_interface_and_tunnel_address_a_pair_address_and_a_vrrp_priority()
    {
        var hubs = Sequence(root, "hubs").Children;

        Assert.Equal(2, hubs.Count);
        for (var i = 0; i < 2; i++)
        {
            var expected = topology.Hubs[i];
            var hub = (YamlMappingNode)hubs[i];
            Assert.Equal(expected.Name, Scalar(hub, "name"));
            Assert.Equal(expected.Endpoint, Scalar(hub, "endpoint"));
            Assert.Equal(expected.WireGuardInterface, Scalar(hub, "interface"));
            Assert.Equal("eth0", Scalar(hub, "public_interface"));
            Assert.Equal(publicKeys[expected.Name], Scalar(hub, "public_key"));
            Assert.Equal(paths.PrivateKeyFile(expected.Name), Scalar(hub, "private_key_file"));
            Assert.Equal(expected.Public.IPv4.ToString(), Scalar(hub, "pair_address"));
            var tunnel = (YamlMappingNode)hub.Children[new YamlScalarNode("tunnel")];
            Assert.Equal($"10.77.0.{i + 1}/24", Scalar(tunnel, "ipv4"));
            Assert.Equal($"fd77::{i + 1}/64", Scalar(tunnel, "ipv6"));
        }
        Assert.Equal(["150", "100"], hubs.Select(h => Scalar((YamlMappingNode)h, "vrrp_priority")));
    }

    [Fact]
    public void Hub_pair_settings_are_left_at_their_defaults()
    {
        var hubPair = Assert.IsType<YamlMappingNode>(root.Children[new YamlScalarNode("hub_pair")]);

        Assert.Empty(hubPair.Children);
    }

    [Fact]
    public void With_conntrackd_hub_pair_turns_it_on_and_nothing_else()
    {
        var withConntrackd = LabConfigWriter.Render(topology, paths, publicKeys, conntrackd: true);
        var hubPair = Assert.IsType<YamlMappingNode>(Load(withConntrackd).Children[new YamlScalarNode("hub_pair")]);

        Assert.Equal("true", Scalar(hubPair, "conntrackd"));
        Assert.Single(hubPair.Children);
        var result = ConfigLoader.Parse(withConntrackd, "lab.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.True(result.Config!.HubPair!.Conntrackd);
    }

    [Fact]
    public void A_single_hub_lab_refuses_conntrackd()
    {
        var single = LabTopology.Create("kw1a2b");

        var error = Assert.Throws<ArgumentException>(() => LabConfigWriter.Render(single, paths, publicKeys, conntrackd: true));

        Assert.Contains("--hub-pair", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_site_names_its_interface_to_each_hub_and_has_one_tunnel_address()
    {
        var sites = Sequence(root, "sites").Cast<YamlMappingNode>().ToList();

        Assert.Equal(["alpha", "bravo", "charlie"], sites.Select(s => Scalar(s, "name")));
        foreach (var site in sites)
        {
            var expected = topology.Site(Scalar(site, "name"));
            var interfaces = (YamlMappingNode)site.Children[new YamlScalarNode("interfaces")];
            Assert.Equal(
                expected.WireGuardLinks.Select(l => (l.Hub, l.Interface)),
                interfaces.Children.Select(c => (((YamlScalarNode)c.Key).Value!, ((YamlScalarNode)c.Value).Value!)));
            Assert.False(site.Children.ContainsKey(new YamlScalarNode("interface")), "a site of a pair names its interfaces with 'interfaces' only");
            var tunnel = (YamlMappingNode)site.Children[new YamlScalarNode("tunnel")];
            Assert.Equal(expected.Tunnel.IPv4.ToString(), Scalar(tunnel, "ipv4"));
            Assert.Equal(expected.Tunnel.IPv6.ToString(), Scalar(tunnel, "ipv6"));
        }
    }

    [Fact]
    public void The_services_are_those_of_the_single_hub_lab()
    {
        var single = RenderSingleHub();

        Assert.Equal(single[single.IndexOf("services:", StringComparison.Ordinal)..], yaml[yaml.IndexOf("services:", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void A_single_hub_config_has_none_of_the_pair_keys()
    {
        var single = RenderSingleHub();

        foreach (var key in new[] { "hub_pair", "pair_address", "vrrp_priority", "interfaces:" })
            Assert.DoesNotContain(key, single, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loader_reads_the_pair_config_into_two_hubs()
    {
        var result = ConfigLoader.Parse(yaml, "lab.yaml");

        Assert.True(result.Succeeded, yaml + "\n" + string.Join("\n", result.Errors));
        Assert.Equal(["hub1", "hub2"], result.Config!.Hubs.Select(h => h.Name));
        Assert.Equal(["alpha", "bravo", "charlie"], result.Config.Sites.Select(s => s.Name));
        Assert.Equal(["kw1a2ba1", "kw1a2bb1", "kw1a2bc1"], result.Config.Sites.Select(s => s.Interface));
    }

    private string RenderSingleHub() =>
        LabConfigWriter.Render(LabTopology.Create("kw1a2b"), paths, new Dictionary<string, string>(publicKeys) { ["hub"] = publicKeys["hub1"] });

    private static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlSequenceNode Sequence(YamlMappingNode map, string key) => (YamlSequenceNode)map.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map.Children[new YamlScalarNode(key)]).Value!;
}
