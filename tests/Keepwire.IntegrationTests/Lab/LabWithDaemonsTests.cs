using System.Globalization;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The lab with the real keepwire daemons: the smoke test of the whole system the demo shows.
/// Each test builds its own lab, since the second one kills everything in it.
/// </summary>
[Collection("namespaces")]
public sealed class LabWithDaemonsTests
{
    private readonly NetworkLab labs = new(new CommandRunner());

    [Fact]
    public async Task The_highest_priority_site_serves_both_vips_over_tcp_and_udp_and_sees_the_client_address()
    {
        await using var lab = await labs.UpAsync(LabFixture.Options(startDaemons: true));

        foreach (var (vip, client) in new[] { ("203.0.113.80", "203.0.113.100"), ("[2001:db8:113::80]", "2001:db8:113::100") })
        {
            var family = vip.StartsWith('[') ? "UDP6" : "UDP4";
            var web = await Eventually(() => lab.ExecAsync("client", "curl", "--silent", "--max-time", "3", $"http://{vip}/"), r => r.Succeeded);
            var echo = await Eventually(() => lab.ExecAsync("client", ["socat", "-T3", "-", $"{family}:{vip}:7"], "ping\n"), r => r.StandardOutput.Length > 0);

            Assert.Equal($"site=alpha client={client}\n", web.StandardOutput);
            Assert.Equal($"site=alpha client={client}\n", echo.StandardOutput);
        }

        var status = await labs.StatusAsync(lab.Prefix);
        Assert.All(status.Handshakes, h => Assert.NotNull(h.LatestHandshake));
        Assert.All(status.Serving, s => Assert.Equal("alpha", s.Site));
        Assert.All(lab.Topology.Nodes, node => Assert.NotNull(lab.DaemonPid(node)));
    }

    [Fact]
    public async Task Down_after_every_process_was_killed_removes_the_wireguard_go_the_daemons_left()
    {
        var lab = await labs.UpAsync(LabFixture.Options(startDaemons: true));
        try
        {
            var runner = new CommandRunner();
            foreach (var pidFile in Directory.EnumerateFiles(Path.Combine(lab.StateDirectory, "pids")))
                await runner.RunAsync("kill", ["-s", "KILL", File.ReadAllText(pidFile).Trim()]);
            // The daemons are gone; their wireguard-go processes keep serving the interfaces.
            var wireGuard = await lab.ExecAsync("hub", "wg", "show", lab.Topology.Hub.WireGuardInterface);
            Assert.True(wireGuard.Succeeded, wireGuard.StandardError);
            var survivors = (await runner.RunCheckedAsync("ip", ["netns", "pids", lab.Topology.Hub.Namespace])).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(survivors);

            await labs.DownAsync(lab.Prefix);

            Assert.DoesNotContain(lab.Prefix + "-", (await runner.RunCheckedAsync("ip", ["netns", "list"])).StandardOutput, StringComparison.Ordinal);
            Assert.All(lab.Topology.WireGuardInterfaces, iface => Assert.False(File.Exists($"/var/run/wireguard/{iface}.sock"), iface));
            Assert.All(survivors, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal), $"pid {pid} survived"));
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }

    private static async Task<CommandResult> Eventually(Func<Task<CommandResult>> attempt, Func<CommandResult, bool> done)
    {
        var result = await attempt();
        for (var tries = 1; tries < 20 && !done(result); tries++)
        {
            await Task.Delay(250);
            result = await attempt();
        }
        return result;
    }
}
