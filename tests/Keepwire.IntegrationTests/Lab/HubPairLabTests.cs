using System.Net;
using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Network;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The network of a hub-pair lab, without daemons: both hubs on the public segment, reachable
/// from everywhere on their own addresses, and the levers the hub-pair tests pull. Each test puts
/// back what it changed, so they share one lab.
/// </summary>
[Collection("namespaces")]
public sealed class HubPairLabTests(HubPairLabFixture fixture) : IClassFixture<HubPairLabFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("client")]
    [InlineData("alpha")]
    [InlineData("bravo")]
    [InlineData("charlie")]
    [InlineData("hub1")]
    [InlineData("hub2")]
    public async Task Both_hubs_answer_on_their_public_addresses_in_both_families(string from)
    {
        foreach (var hub in Lab.Topology.Hubs)
        {
            foreach (var address in hub.Public.Both)
            {
                var ping = await Ping(from, address);
                Assert.True(ping.Succeeded, $"{from} cannot reach {hub.Name} at {address}: {ping.StandardOutput}{ping.StandardError}");
            }
        }
    }

    [Theory]
    [InlineData("hub1")]
    [InlineData("hub2")]
    public async Task Each_hub_has_its_public_addresses_on_eth0_and_no_vip_until_keepalived_adds_them(string hubName)
    {
        var hub = Lab.Topology.HubNamed(hubName);

        var addresses = await RunChecked(hubName, "ip", "-j", "address", "show", "dev", "eth0");

        using var json = JsonDocument.Parse(addresses.StandardOutput);
        var local = json.RootElement[0].GetProperty("addr_info").EnumerateArray().Select(a => a.GetProperty("local").GetString()).ToList();
        Assert.Contains($"{hub.Public.IPv4}", local);
        Assert.Contains($"{hub.Public.IPv6}", local);
        Assert.All(await Lab.VipsByHubAsync(), held => Assert.Empty(held.Value));
        Assert.Null(await Lab.VipHolderAsync());
    }

    [Theory]
    [InlineData("client")]
    [InlineData("charlie")]
    [InlineData("hub2")]
    public async Task Hosts_resolve_each_hub_endpoint_name_to_that_hub(string host)
    {
        foreach (var hub in Lab.Topology.Hubs)
        {
            var answer = await RunChecked(host, "getent", "ahosts", hub.EndpointHostName);

            Assert.Contains($"{hub.Public.IPv4} ", answer.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"{hub.Public.IPv6} ", answer.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_vip_on_a_hub_is_on_link_for_the_client_which_reaches_it_at_that_hub()
    {
        // What keepalived does when it becomes master, by hand: the VIP on eth0, nothing else.
        await RunChecked("hub2", "ip", "address", "add", $"{Lab.Topology.Vips.IPv4}/32", "dev", "eth0");
        await RunChecked("hub2", "ip", "address", "add", $"{Lab.Topology.Vips.IPv6}/128", "dev", "eth0", "nodad");
        try
        {
            Assert.Equal("hub2", await Lab.VipHolderAsync());
            foreach (var vip in Lab.Topology.Vips.Both)
            {
                Assert.True((await Ping("client", vip)).Succeeded, $"the client cannot reach {vip} on hub2");
                Assert.Equal(await MacAsync("hub2"), await NeighbourMacAsync("client", vip));
            }
        }
        finally
        {
            await Lab.ExecAsync("hub2", "ip", "address", "del", $"{Lab.Topology.Vips.IPv4}/32", "dev", "eth0");
            await Lab.ExecAsync("hub2", "ip", "address", "del", $"{Lab.Topology.Vips.IPv6}/128", "dev", "eth0");
            await Lab.ExecAsync("client", "ip", "neighbour", "flush", "dev", "eth0");
        }
        Assert.Null(await Lab.VipHolderAsync());
    }

    [Fact]
    public async Task A_partition_cuts_the_hubs_off_from_each_other_only_until_healed()
    {
        var hub1 = Lab.Topology.HubNamed("hub1");
        var hub2 = Lab.Topology.HubNamed("hub2");
        await Lab.PartitionHubsAsync();
        try
        {
            // Twice: the lever is idempotent.
            await Lab.PartitionHubsAsync();
            Assert.True(await Lab.HubsPartitionedAsync());
            foreach (var family in new Func<LabHub, IPAddress>[] { h => h.Public.IPv4, h => h.Public.IPv6 })
            {
                Assert.False((await Ping("hub1", family(hub2))).Succeeded, $"hub1 reached hub2 at {family(hub2)} across the partition");
                Assert.False((await Ping("hub2", family(hub1))).Succeeded, $"hub2 reached hub1 at {family(hub1)} across the partition");
                foreach (var from in new[] { "client", "alpha", "charlie" })
                {
                    Assert.True((await Ping(from, family(hub1))).Succeeded, $"{from} lost hub1 in a partition between the hubs");
                    Assert.True((await Ping(from, family(hub2))).Succeeded, $"{from} lost hub2 in a partition between the hubs");
                }
            }
        }
        finally
        {
            await Lab.HealHubPartitionAsync();
        }

        Assert.False(await Lab.HubsPartitionedAsync());
        await Lab.HealHubPartitionAsync();
        Assert.True(await WireGuardLab.Eventually(async () => (await Ping("hub1", hub2.Public.IPv4)).Succeeded, Settle), "hub1 cannot reach hub2 after the heal");
        Assert.True(await WireGuardLab.Eventually(async () => (await Ping("hub2", hub1.Public.IPv6)).Succeeded, Settle), "hub2 cannot reach hub1 after the heal");
    }

    [Fact]
    public async Task A_cut_hub_link_loses_carrier_and_leaves_the_other_hub_reachable_until_restored()
    {
        var hub1 = Lab.Topology.HubNamed("hub1");
        var hub2 = Lab.Topology.HubNamed("hub2");
        await Lab.CutLinkAsync("hub1");
        CommandResult link;
        bool hub1Reached, hub2Reached;
        try
        {
            link = await RunChecked("hub1", "ip", "-j", "link", "show", "dev", "eth0");
            hub1Reached = (await Ping("client", hub1.Public.IPv4)).Succeeded;
            hub2Reached = (await Ping("client", hub2.Public.IPv4)).Succeeded;
        }
        finally
        {
            await Lab.RestoreLinkAsync("hub1");
        }

        // keepalived watches exactly this: the hub's own interface loses carrier.
        using var json = JsonDocument.Parse(link.StandardOutput);
        Assert.Contains("NO-CARRIER", json.RootElement[0].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.False(hub1Reached, "hub1 answered while its link was cut");
        Assert.True(hub2Reached, "hub2 was lost when hub1's link was cut");
        Assert.True(await WireGuardLab.Eventually(async () => (await Ping("client", hub1.Public.IPv4)).Succeeded, Settle), "hub1 unreachable after the restore");
    }

    [Fact]
    public async Task Status_shows_both_hubs_namespaces_and_each_hubs_handshakes()
    {
        var status = await fixture.Labs.StatusAsync(Lab.Prefix);

        Assert.Equal(Lab.Topology.Hosts.Select(Lab.Topology.NamespaceOf), status.Namespaces.Select(n => n.Name));
        Assert.All(status.Namespaces, n => Assert.True(n.Exists, n.Name));
        Assert.Equal(
            ["hub1 alpha", "hub1 bravo", "hub1 charlie", "hub2 alpha", "hub2 bravo", "hub2 charlie"],
            status.Handshakes.Select(h => $"{h.Hub} {h.Site}"));
        Assert.All(status.Handshakes, h => Assert.Null(h.LatestHandshake));
        Assert.Empty(status.VipHolders);
        Assert.Contains("handshakes with hub2:", status.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_opened_lab_has_the_pair_layout_and_its_config_the_pair_keys()
    {
        var opened = fixture.Labs.Open(Lab.Prefix);
        var config = await File.ReadAllTextAsync(opened.ConfigPath);

        Assert.True(opened.Topology.IsHubPair);
        Assert.Equal(["hub1", "hub2", "alpha", "bravo", "charlie"], opened.Topology.Nodes);
        Assert.Contains("hub_pair:", config, StringComparison.Ordinal);
        Assert.Contains($"interfaces: {{ hub1: {Lab.Topology.Site("alpha").InterfaceFor("hub1")}, hub2: {Lab.Topology.Site("alpha").InterfaceFor("hub2")} }}", config, StringComparison.Ordinal);
        foreach (var node in opened.Topology.Nodes)
            Assert.Contains($"public_key: \"{opened.PublicKey(node)}\"", config, StringComparison.Ordinal);
    }

    private Task<CommandResult> Ping(string from, IPAddress target) =>
        Lab.ExecAsync(from, "ping", "-c", "1", "-W", "1", target.ToString());

    private async Task<string> MacAsync(string host)
    {
        var link = await RunChecked(host, "ip", "-j", "link", "show", "dev", "eth0");
        using var json = JsonDocument.Parse(link.StandardOutput);
        return json.RootElement[0].GetProperty("address").GetString()!;
    }

    private async Task<string?> NeighbourMacAsync(string host, IPAddress address)
    {
        var neighbours = await RunChecked(host, "ip", "-j", "neighbour", "show", "to", address.ToString());
        using var json = JsonDocument.Parse(neighbours.StandardOutput);
        return json.RootElement.EnumerateArray().Select(n => n.TryGetProperty("lladdr", out var mac) ? mac.GetString() : null).FirstOrDefault();
    }

    private async Task<CommandResult> RunChecked(string host, params string[] arguments)
    {
        var result = await Lab.ExecAsync(host, arguments);
        Assert.True(result.Succeeded, $"{result.CommandLine} failed ({result.ExitCode}): {result.StandardError}");
        return result;
    }
}
