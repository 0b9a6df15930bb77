using Keepwire.Lab;

namespace Keepwire.Tests.Lab;

public sealed class LabNamingTests
{
    [Fact]
    public void New_prefixes_are_kw_and_four_hex_digits_and_differ()
    {
        var prefixes = Enumerable.Range(0, 20).Select(_ => LabNaming.NewPrefix()).ToList();

        Assert.All(prefixes, p => Assert.Matches("^kw[0-9a-f]{4}$", p));
        Assert.All(prefixes, p => Assert.True(LabNaming.IsValidPrefix(p), p));
        Assert.True(prefixes.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData("kw1a2b", true)]
    [InlineData("kwdemo", true)]
    [InlineData("abcdefghijklmn", true)]
    [InlineData("abcdefghijklmno", false)] // 15 characters: "{prefix}h" would not fit an interface name
    [InlineData("k", false)]
    [InlineData("1abc", false)]
    [InlineData("KW1A2B", false)]
    [InlineData("kw-1", false)]
    [InlineData("kw/../x", false)]
    [InlineData("", false)]
    public void Prefixes_must_fit_interface_names_and_be_plain(string prefix, bool valid) =>
        Assert.Equal(valid, LabNaming.IsValidPrefix(prefix));

    [Fact]
    public void Labs_are_found_by_their_internet_namespace_only()
    {
        string[] namespaces =
        [
            "kw1a2b-net", "kw1a2b-hub", "kw1a2b-alpha",   // a lab
            "kwffff-net",                                  // a lab cut short right after it started
            "kw0000-hub", "kw0000-alpha",                  // not a lab: no internet namespace
            "kw273dc-net", "kwexp1", "kw1a2b-netx", "xkw1a2b-net", "other",
        ];

        Assert.Equal(["kw1a2b", "kwffff"], LabNaming.LabPrefixesFromNamespaces(namespaces));
    }

    [Fact]
    public void Every_interface_name_fits_with_the_longest_prefix()
    {
        var topology = LabTopology.Create("abcdefghijklmn");

        Assert.All(topology.WireGuardInterfaces, name => Assert.True(name.Length <= 15, name));
        Assert.Equal(4, topology.WireGuardInterfaces.Distinct().Count());
    }

    [Fact]
    public void Hosts_and_nodes_map_to_namespaces_and_unknown_names_are_refused()
    {
        var topology = LabTopology.Create("kw1a2b");

        Assert.Equal("kw1a2b-charlie", topology.NamespaceOf("charlie"));
        Assert.Equal("kw1a2b-net", topology.InternetNamespace);
        Assert.Equal("kw1a2b-hub", topology.NamespaceOfNode("hub"));
        Assert.Equal("kw1a2bc", topology.WireGuardInterfaceOf("charlie"));
        Assert.Equal(["hub", "alpha", "bravo", "charlie"], topology.Nodes);
        Assert.Throws<ArgumentException>(() => topology.NamespaceOf("delta"));
        Assert.Throws<ArgumentException>(() => topology.Site("hub"));
        Assert.Throws<ArgumentException>(() => LabTopology.Create("Bad Prefix"));
    }
}
