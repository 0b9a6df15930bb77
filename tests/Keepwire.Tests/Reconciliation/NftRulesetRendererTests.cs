using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Reconciliation;

public sealed class NftRulesetRendererTests
{
    internal static ForwardingRule Rule(string vip, TransportProtocol protocol, int first, int last, string backend, int? backendPort = null) =>
        new("web", IPAddress.Parse(vip), protocol, first, last, IPAddress.Parse(backend), backendPort ?? first);

    internal static HubDataPlane Plane(string tunnel = "kw0", string backend4 = "10.77.0.2", string backend6 = "fd77::2") => new(
        tunnel,
        [
            Rule("198.51.100.10", TransportProtocol.Tcp, 443, 443, backend4),
            Rule("198.51.100.10", TransportProtocol.Tcp, 8443, 8443, backend4, 443),
            Rule("198.51.100.10", TransportProtocol.Udp, 10000, 10100, backend4),
            Rule("2001:db8::10", TransportProtocol.Tcp, 443, 443, backend6),
            Rule("2001:db8::10", TransportProtocol.Udp, 10000, 10100, backend6),
        ],
        [IPAddress.Parse("10.77.0.4"), IPAddress.Parse("fd77::4")],
        [IPNetwork.Parse("10.77.0.0/24"), IPNetwork.Parse("192.0.2.7/32")]);

    [Fact]
    public void Puts_single_ports_with_their_backend_port_and_ranges_with_the_backend_address_only_in_per_family_maps()
    {
        var elements = NftRulesetRenderer.Render(Plane()).Elements;

        Assert.Equal(
            new HashSet<NftElement>
            {
                new("198.51.100.10 . tcp . 443", "10.77.0.2 . 443"),
                new("198.51.100.10 . tcp . 8443", "10.77.0.2 . 443"),
            },
            elements["fwd4"]);
        Assert.Equal(new HashSet<NftElement> { new("198.51.100.10 . udp . 10000-10100", "10.77.0.2") }, elements["fwd4r"]);
        Assert.Equal(new HashSet<NftElement> { new("2001:db8::10 . tcp . 443", "fd77::2 . 443") }, elements["fwd6"]);
        Assert.Equal(new HashSet<NftElement> { new("2001:db8::10 . udp . 10000-10100", "fd77::2") }, elements["fwd6r"]);
        Assert.Equal(new HashSet<NftElement> { new("10.77.0.4") }, elements["snat4"]);
        Assert.Equal(new HashSet<NftElement> { new("fd77::4") }, elements["snat6"]);
        Assert.Equal(new HashSet<NftElement> { new("10.77.0.0/24"), new("192.0.2.7") }, elements["allow4"]);
        Assert.Empty(elements["allow6"]);
    }

    [Fact]
    public void The_definition_is_the_commented_table_followed_by_sorted_element_lines_for_non_empty_sets()
    {
        var ruleset = NftRulesetRenderer.Render(Plane());
        var lines = ruleset.Definition.Split('\n');

        Assert.Equal("table inet keepwire {", lines[0]);
        Assert.Equal($"\tcomment \"keepwire schema {ruleset.Fingerprint}\"", lines[1]);
        Assert.Equal(ruleset.Comment, $"keepwire schema {ruleset.Fingerprint}");
        Assert.Matches("^[0-9a-f]{16}$", ruleset.Fingerprint);
        Assert.Contains("add element inet keepwire fwd4 { 198.51.100.10 . tcp . 443 : 10.77.0.2 . 443, 198.51.100.10 . tcp . 8443 : 10.77.0.2 . 443 }", lines);
        Assert.Contains("add element inet keepwire fwd4r { 198.51.100.10 . udp . 10000-10100 : 10.77.0.2 }", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("add element inet keepwire allow6", StringComparison.Ordinal));
        Assert.StartsWith("add table inet keepwire\ndelete table inet keepwire\ntable inet keepwire {", ruleset.ReplaceScript, StringComparison.Ordinal);
    }

    [Fact]
    public void The_structure_dnats_through_the_maps_guards_the_tunnel_and_masquerades_snat_sites()
    {
        var definition = NftRulesetRenderer.Render(Plane(tunnel: "hubtun")).Definition;

        Assert.Contains("type nat hook prerouting priority dstnat; policy accept;", definition);
        Assert.Contains("type nat hook output priority -100; policy accept;", definition);
        Assert.Contains("dnat ip to ip daddr . meta l4proto . th dport map @fwd4\n", definition);
        Assert.Contains("dnat ip to ip daddr . meta l4proto . th dport map @fwd4r\n", definition);
        Assert.Contains("dnat ip6 to ip6 daddr . meta l4proto . th dport map @fwd6\n", definition);
        Assert.Contains("dnat ip6 to ip6 daddr . meta l4proto . th dport map @fwd6r\n", definition);
        Assert.Contains("type filter hook forward priority filter; policy accept;", definition);
        Assert.Contains("oifname \"hubtun\" jump into_tunnel", definition);
        Assert.Contains("ct status dnat accept", definition);
        Assert.Contains("ip saddr @allow4 accept", definition);
        Assert.Contains("oifname \"hubtun\" ip daddr @snat4 masquerade", definition);
        Assert.Contains("oifname \"hubtun\" ip6 daddr @snat6 masquerade", definition);
        Assert.DoesNotContain("policy drop", definition);
    }

    [Fact]
    public void The_fingerprint_ignores_elements_and_follows_the_structure()
    {
        var original = NftRulesetRenderer.Render(Plane());
        var repointed = NftRulesetRenderer.Render(Plane(backend4: "10.77.0.3", backend6: "fd77::3"));
        var empty = NftRulesetRenderer.Render(new HubDataPlane("kw0", [], [], []));
        var otherInterface = NftRulesetRenderer.Render(Plane(tunnel: "kw1"));

        Assert.Equal(original.Fingerprint, repointed.Fingerprint);
        Assert.Equal(original.Fingerprint, empty.Fingerprint);
        Assert.NotEqual(original.Fingerprint, otherInterface.Fingerprint);
        Assert.NotEqual(original.Definition, repointed.Definition);
    }

    [Fact]
    public void Allowed_sources_inside_another_allowed_network_are_left_out()
    {
        var plane = new HubDataPlane("kw0", [], [], [
            IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("10.1.2.3/32"),
            IPNetwork.Parse("fd00::/8"), IPNetwork.Parse("fd00::/8"), IPNetwork.Parse("2001:db8::/32")]);

        var elements = NftRulesetRenderer.Render(plane).Elements;

        Assert.Equal(new HashSet<NftElement> { new("10.0.0.0/8") }, elements["allow4"]);
        Assert.Equal(new HashSet<NftElement> { new("fd00::/8"), new("2001:db8::/32") }, elements["allow6"]);
    }

    [Fact]
    public void Rejects_two_rules_claiming_the_same_vip_protocol_and_port()
    {
        var plane = new HubDataPlane("kw0", [
            Rule("198.51.100.10", TransportProtocol.Udp, 10000, 10100, "10.77.0.2"),
            Rule("198.51.100.10", TransportProtocol.Udp, 10100, 10100, "10.77.0.3") with { Service = "voip" },
            Rule("198.51.100.10", TransportProtocol.Tcp, 10100, 10100, "10.77.0.3"),
        ], [], []);

        var error = Assert.Throws<ArgumentException>(() => NftRulesetRenderer.Render(plane));

        Assert.Contains("web and voip both forward 198.51.100.10 udp port 10100", error.Message);
    }

    [Fact]
    public void Rejects_a_backend_of_another_family_than_its_vip()
    {
        var plane = new HubDataPlane("kw0", [Rule("198.51.100.10", TransportProtocol.Tcp, 80, 80, "fd77::2")], [], []);

        Assert.Throws<ArgumentException>(() => NftRulesetRenderer.Render(plane));
    }

    [Fact]
    public void A_site_may_only_answer_through_the_hub_new_traffic_from_the_tunnel_is_dropped()
    {
        var definition = NftRulesetRenderer.Render(Plane(tunnel: "hubtun")).Definition;

        Assert.Contains("iifname \"hubtun\" jump from_tunnel", definition);
        var fromTunnel = Chain(definition, "from_tunnel");
        Assert.EndsWith(
            "\t\tct state established,related accept\n\t\tcounter drop comment \"a site only answers: nothing new from the tunnel is forwarded\"",
            fromTunnel,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_sites_refusals_are_logged_to_the_hub_at_a_limited_rate_per_site_before_they_are_dropped()
    {
        var definition = NftRulesetRenderer.Render(Plane(tunnel: "hubtun")).Definition;

        var fromTunnel = Chain(definition, "from_tunnel").Split('\n');
        var refusals = fromTunnel.Where(line => line.Contains("tcp sequence 0", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.EndsWith($"update @refusers4 {{ ip saddr limit rate 20/second burst 5 packets }} log group {NftForwardingTable.RefusalLogGroup}", refusals[0]);
        Assert.EndsWith($"update @refusers6 {{ ip6 saddr limit rate 20/second burst 5 packets }} log group {NftForwardingTable.RefusalLogGroup}", refusals[1]);
        Assert.EndsWith("counter drop comment \"refusal of a forwarded SYN: let the client retry\"", refusals[2]);
        Assert.Equal(2, fromTunnel.Count(line => line.Contains("port-unreachable update @refusers", StringComparison.Ordinal)));
        Assert.Contains("\tset refusers4 {\n\t\ttype ipv4_addr\n\t\tsize 4096\n\t\tflags dynamic,timeout\n", definition);
    }

    [Fact]
    public void The_hub_itself_takes_only_reports_icmp_and_answers_from_the_tunnel_and_reports_from_nowhere_else()
    {
        var definition = NftRulesetRenderer.Render(Plane(tunnel: "hubtun")).Definition;

        var input = Chain(definition, "input");
        Assert.Contains("type filter hook input priority filter; policy accept;", input);
        Assert.Contains("iifname \"hubtun\" jump input_from_tunnel", input);
        Assert.Contains("udp dport 51821 counter drop", input);
        Assert.DoesNotContain("51822", definition);
        Assert.Equal(
            "\t\tct state established,related accept\n\t\tudp dport 51821 accept\n\t\tmeta l4proto { icmp, ipv6-icmp } accept\n\t\tcounter drop comment \"a site reaches nothing else on the hub\"",
            Chain(definition, "input_from_tunnel"));
    }

    [Fact]
    public void In_a_pair_sync_comes_through_the_tunnel_or_from_the_peers_pair_address_only()
    {
        var pair = Plane() with { Input = new HubInputPolicy(51821, 51822, IPAddress.Parse("203.0.113.2")) };
        var pair6 = Plane() with { Input = new HubInputPolicy(51821, 51822, IPAddress.Parse("2001:db8::2")) };

        var definition = NftRulesetRenderer.Render(pair).Definition;

        Assert.Contains("\t\tudp dport 51822 ip saddr 203.0.113.2 accept\n\t\tudp dport 51822 counter drop", Chain(definition, "input"));
        Assert.Contains("\t\tudp dport 51822 accept\n", Chain(definition, "input_from_tunnel"));
        Assert.Contains("udp dport 51822 ip6 saddr 2001:db8::2 accept", NftRulesetRenderer.Render(pair6).Definition);
        Assert.NotEqual(NftRulesetRenderer.Render(Plane()).Fingerprint, NftRulesetRenderer.Render(pair).Fingerprint);
    }

    /// <summary>The body of chain <paramref name="name"/>: the lines between its header and its closing brace.</summary>
    private static string Chain(string definition, string name)
    {
        var start = definition.IndexOf($"\tchain {name} {{\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no chain {name}");
        var body = definition[(start + $"\tchain {name} {{\n".Length)..];
        return body[..body.IndexOf("\n\t}", StringComparison.Ordinal)];
    }

    [Theory]
    [InlineData("")]
    [InlineData("kw0\" drop")]
    [InlineData("a-name-too-long-")]
    public void Rejects_an_interface_name_that_cannot_be_quoted_safely(string name)
    {
        Assert.Throws<ArgumentException>(() => NftRulesetRenderer.Render(new HubDataPlane(name, [], [], [])));
    }
}
