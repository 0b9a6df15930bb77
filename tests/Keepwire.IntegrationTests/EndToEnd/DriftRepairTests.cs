using Keepwire.IntegrationTests.Keepalived;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The running hub repairs what someone changes under it: its forwarding map, a VIP, a forwarding sysctl, a
/// WireGuard peer, its tunnel's link state. An idle hub reads none of these with a program any more (it asks the
/// kernel over netlink whether anything changed, reads /proc/sys and wireguard-go's socket), so this is what shows
/// that every kind of drift still reaches the reconcile pass.
/// </summary>
[Collection("namespaces")]
public sealed class DriftRepairTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private LabHandle Lab => fixture.Lab;

    private LabHub Hub => Lab.Topology.Hub;

    [Fact]
    public async Task Every_kind_of_drift_is_repaired_by_the_running_hub()
    {
        var vip = Lab.Topology.Vips.IPv4.ToString();
        try
        {
            await Lab.EnsureHubRunningAsync();

            await Exec("nft", "flush", "map", "inet", "keepwire", "fwd4");
            await Poll.UntilAsync(async () => (await Output("nft", "list", "map", "inet", "keepwire", "fwd4")).Contains(vip, StringComparison.Ordinal), Patience,
                "the hub to put the flushed IPv4 forwarding map's elements back");

            await Exec("ip", "address", "del", $"{vip}/32", "dev", Hub.PublicInterface);
            await Poll.UntilAsync(async () => (await Output("ip", "-4", "address", "show", "dev", Hub.PublicInterface)).Contains($" {vip}/32", StringComparison.Ordinal), Patience,
                "the hub to add the removed VIP again");

            await Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
            await Poll.UntilAsync(async () => (await Output("sysctl", "-n", "net.ipv4.ip_forward")).Trim() == "1", Patience,
                "the hub to turn IPv4 forwarding on again");

            var peers = Lines(await Output("wg", "show", Hub.WireGuardInterface, "peers"));
            await Exec("wg", "set", Hub.WireGuardInterface, "peer", peers[0], "remove");
            await Poll.UntilAsync(async () => Lines(await Output("wg", "show", Hub.WireGuardInterface, "peers")).Count == peers.Count, Patience,
                "the hub to add the removed WireGuard peer again");

            await Exec("ip", "link", "set", "dev", Hub.WireGuardInterface, "down");
            await Poll.UntilAsync(async () => (await Output("ip", "link", "show", "dev", Hub.WireGuardInterface)).Contains(",UP", StringComparison.Ordinal), Patience,
                "the hub to bring its tunnel interface up again");

            await Lab.WaitForEveryServiceOnAsync("alpha");
        }
        finally
        {
            // Whatever failed, the next test finds the hub as it was.
            await Lab.ExecAsync("hub", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            await Lab.ExecAsync("hub", "ip", "link", "set", "dev", Hub.WireGuardInterface, "up");
            await Lab.EnsureHubRunningAsync();
        }
    }

    private async Task Exec(params string[] arguments)
    {
        var result = await Lab.ExecAsync("hub", arguments);
        Assert.True(result.Succeeded, $"{string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
    }

    private async Task<string> Output(params string[] arguments) => (await Lab.ExecAsync("hub", arguments)).StandardOutput;

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
