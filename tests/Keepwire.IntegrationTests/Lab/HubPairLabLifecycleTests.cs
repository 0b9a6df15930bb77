using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Network;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// Whole hub-pair labs: a real keepalived moving the VIPs between the two hub namespaces when the
/// lab's levers hit, teardown of what the hubs start detached, and the lab with Keepwire's daemons.
/// Each test builds its own lab.
/// </summary>
[Collection("namespaces")]
public sealed class HubPairLabLifecycleTests
{
    /// <summary>The pair lab with daemons needs the pair config, keepalived adapter, hub sync and dual-homed sites.</summary>

    private static readonly TimeSpan VrrpSettle = TimeSpan.FromSeconds(10);

    private readonly CommandRunner runner = new();
    private readonly NetworkLab labs = new(new CommandRunner());

    [Fact]
    public async Task Keepalived_in_the_hub_namespaces_moves_the_vips_on_the_labs_levers_and_down_stops_it()
    {
        var lab = await labs.UpAsync(HubPairLabFixture.PairOptions());
        IReadOnlyList<int> keepalived;
        try
        {
            await StandInKeepalived.StartAsync(lab, "hub1");
            await StandInKeepalived.StartAsync(lab, "hub2");
            keepalived = [.. await StandInKeepalived.PidsAsync(lab, "hub1"), .. await StandInKeepalived.PidsAsync(lab, "hub2")];
            Assert.Equal(4, keepalived.Count);

            var first = await WaitForHolderAsync(lab, _ => true);
            await AssertClientReachesVipsAsync(lab);

            // The holder's link dies: its eth0 loses carrier and the other hub takes the VIPs.
            await lab.CutLinkAsync(first);
            await WaitForHolderAsync(lab, holder => holder != first);
            await AssertClientReachesVipsAsync(lab);
            await lab.RestoreLinkAsync(first);

            // Cut off from each other, both hubs claim the VIPs: the split brain the hub tests need.
            await lab.PartitionHubsAsync();
            Assert.True(await WireGuardLab.Eventually(async () => (await lab.VipsByHubAsync()).All(h => h.Value.Count == 2), VrrpSettle), "both hubs should hold the VIPs while partitioned");
            Assert.Null(await lab.VipHolderAsync());
            await lab.HealHubPartitionAsync();
            await WaitForHolderAsync(lab, _ => true);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        await lab.DownAsync();

        Assert.All(keepalived, pid => Assert.False(LabProcesses.IsAlive(pid), $"keepalived pid {pid} survived the teardown"));
        Assert.DoesNotContain(lab.Prefix + "-", (await runner.RunCheckedAsync("ip", ["netns", "list"])).StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(lab.StateDirectory));
    }

    [Fact]
    public async Task Down_of_a_pair_lab_whose_state_directory_is_lost_removes_both_hubs_and_every_interface()
    {
        var lab = await labs.UpAsync(HubPairLabFixture.PairOptions());
        try
        {
            // A crashed run: wireguard-go killed on hub2 (stale socket), every tracked process
            // killed, the state directory (manifest, pid files) gone.
            var iface = lab.Topology.HubNamed("hub2").WireGuardInterface;
            Assert.True((await lab.ExecAsync("hub2", "wireguard-go", iface)).Succeeded);
            foreach (var pid in (await lab.ExecAsync("net", "ip", "netns", "pids", lab.Topology.NamespaceOf("hub2"))).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                await runner.RunCheckedAsync("kill", ["-s", "KILL", pid]);
            foreach (var pidFile in Directory.EnumerateFiles(Path.Combine(lab.StateDirectory, "pids")))
                await runner.RunAsync("kill", ["-s", "KILL", File.ReadAllText(pidFile).Trim()]);
            Directory.Delete(lab.StateDirectory, recursive: true);
            Assert.True(File.Exists($"/var/run/wireguard/{iface}.sock"));

            var status = await labs.StatusAsync(lab.Prefix);
            Assert.Contains(status.Namespaces, n => n.Name == lab.Topology.NamespaceOf("hub2") && n.Exists);
            await labs.DownAsync(lab.Prefix);

            var namespaces = (await runner.RunCheckedAsync("ip", ["netns", "list"])).StandardOutput;
            Assert.DoesNotContain(lab.Prefix + "-", namespaces, StringComparison.Ordinal);
            Assert.DoesNotContain(Directory.EnumerateDirectories("/etc/netns"), d => Path.GetFileName(d).StartsWith(lab.Prefix + "-", StringComparison.Ordinal));
            Assert.Empty(Directory.Exists("/var/run/wireguard") ? Directory.EnumerateFiles("/var/run/wireguard", lab.Prefix + "*") : []);
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_daemons_both_hubs_have_every_site_one_holds_the_vips_and_alpha_serves_through_it()
    {
        await using var lab = await labs.UpAsync(HubPairLabFixture.PairOptions(startDaemons: true));

        var status = await labs.StatusAsync(lab.Prefix);
        Assert.Equal(6, status.Handshakes.Count);
        Assert.All(status.Handshakes, h => Assert.NotNull(h.LatestHandshake));
        Assert.Single(status.VipHolders);
        Assert.All(status.Serving, s => Assert.Equal("alpha", s.Site));
        Assert.All(lab.Topology.Nodes, node => Assert.NotNull(lab.DaemonPid(node)));
    }

    private static async Task<string> WaitForHolderAsync(LabHandle lab, Func<string, bool> wanted)
    {
        string? holder = null;
        var deadline = DateTime.UtcNow + VrrpSettle;
        while (DateTime.UtcNow < deadline)
        {
            holder = await lab.VipHolderAsync();
            if (holder is not null && wanted(holder))
                return holder;
            await Task.Delay(100);
        }
        var held = await lab.VipsByHubAsync();
        Assert.Fail($"no hub took the VIPs as expected within {VrrpSettle.TotalSeconds} s (last holder: {holder ?? "none"}; {string.Join("; ", held.Select(h => $"{h.Key}: {string.Join(" ", h.Value)}"))})");
        return "";
    }

    private static async Task AssertClientReachesVipsAsync(LabHandle lab)
    {
        foreach (var vip in lab.Topology.Vips.Both)
        {
            var reached = await WireGuardLab.Eventually(async () => (await lab.ExecAsync("client", "ping", "-c", "1", "-W", "1", vip.ToString())).Succeeded, VrrpSettle);
            Assert.True(reached, $"the client cannot reach {vip}");
        }
    }
}
