using System.Globalization;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The hub forwards the configured service ports and nothing else: not another port on a VIP, and
/// not a packet sent straight to a site's tunnel address. Each test first shows the target is
/// reachable through the tunnel (from the hub itself), so a failure from the client means the hub
/// refused to forward, not that nothing was listening.
/// </summary>
[Collection("namespaces")]
public sealed partial class ForwardingScopeTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private const int UnconfiguredPort = 8081;

    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task A_port_that_is_not_configured_is_not_forwarded_to_the_site(string family)
    {
        var alpha = Family.Pick(family, Lab.Topology.Site("alpha").Tunnel);
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var tcp = Family.Socat("TCP", alpha);
        using var stopListener = new CancellationTokenSource();
        // Answers every connection with "site=alpha client=ADDRESS" on alpha's tunnel address only.
        var listener = Lab.ExecAsync(
            "alpha",
            ["socat", $"{tcp}-LISTEN:{UnconfiguredPort},bind={Family.Host(alpha)},reuseaddr,fork", $"EXEC:{Path.Combine(Lab.StateDirectory, "echo-reply")} alpha"],
            cancellationToken: stopListener.Token);
        try
        {
            var hubTunnel = Family.Pick(family, Lab.Topology.Hub.Tunnel);
            var fromHub = await ConnectUntilAnsweredAsync("hub", $"{tcp}:{Family.Host(alpha)}:{UnconfiguredPort}", listener);
            Assert.Equal($"site=alpha client={hubTunnel}\n", fromHub);

            var fromClient = await Lab.ExecAsync("client", ["socat", "-T3", "-", $"{tcp}:{Family.Host(vip)}:{UnconfiguredPort}"], "hello\n");

            Assert.False(fromClient.Succeeded, $"the client reached port {UnconfiguredPort} on the VIP: {fromClient.StandardOutput}");
            Assert.DoesNotContain("site=alpha", fromClient.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await stopListener.CancelAsync();
            await listener.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task A_client_routing_straight_to_a_site_tunnel_address_is_dropped_by_the_hub(string family)
    {
        var hub = Lab.Topology.Hub;
        var alpha = Family.Pick(family, Lab.Topology.Site("alpha").Tunnel);
        var (ipFamily, tunnelNetwork) = family == "IPv4"
            ? ("-4", $"10.77.0.0/{hub.TunnelPrefixLengthIPv4}")
            : ("-6", $"fd77::/{hub.TunnelPrefixLengthIPv6}");
        var hubPublic = Family.Pick(family, hub.Public).ToString();
        try
        {
            var fromHub = await Lab.ExecAsync("hub", "curl", "--silent", "--show-error", "--max-time", "5", Family.Url(alpha));
            Assert.Equal($"site=alpha client={Family.Pick(family, hub.Tunnel)}\n", fromHub.StandardOutput);
            await Checked(Lab.ExecAsync("client", "ip", ipFamily, "route", "add", tunnelNetwork, "via", hubPublic));
            var droppedBefore = await ReadDropCounterAsync();

            var fromClient = await Lab.ExecAsync("client", "curl", "--silent", "--show-error", "--max-time", "3", Family.Url(alpha));

            Assert.False(fromClient.Succeeded, $"the client reached {alpha} through the hub: {fromClient.StandardOutput}");
            Assert.True(await ReadDropCounterAsync() > droppedBefore, "the hub's drop rule counted nothing: the client's packets never reached the hub, so this shows nothing");
        }
        finally
        {
            await Lab.ExecAsync("client", "ip", ipFamily, "route", "del", tunnelNetwork, "via", hubPublic);
        }
    }

    /// <summary>Packets counted by the catch-all drop in the chain that guards the tunnel.</summary>
    private async Task<long> ReadDropCounterAsync()
    {
        var chain = await Checked(Lab.ExecAsync("hub", "nft", "list", "chain", "inet", "keepwire", "into_tunnel"));
        var match = DropCounter().Match(chain.StandardOutput);
        Assert.True(match.Success, $"no counted drop rule in:\n{chain.StandardOutput}");
        return long.Parse(match.Groups["packets"].Value, CultureInfo.InvariantCulture);
    }

    private async Task<string> ConnectUntilAnsweredAsync(string host, string address, Task<CommandResult> listener)
    {
        CommandResult? answer = null;
        for (var attempt = 0; attempt < 100 && answer?.StandardOutput.Length is null or 0; attempt++)
        {
            Assert.False(listener.IsCompleted, $"the listener on alpha exited: {(listener.IsCompletedSuccessfully ? listener.Result.StandardError : listener.Exception?.Message)}");
            if (attempt > 0)
                await Task.Delay(100);
            answer = await Lab.ExecAsync(host, ["socat", "-T3", "-", address], "hello\n");
        }
        return answer!.StandardOutput;
    }

    private static async Task<CommandResult> Checked(Task<CommandResult> command)
    {
        var result = await command;
        Assert.True(result.Succeeded, $"{result.CommandLine} failed ({result.ExitCode}): {result.StandardError}");
        return result;
    }

    [GeneratedRegex(@"counter packets (?<packets>\d+) bytes \d+ drop")]
    private static partial Regex DropCounter();
}
