using Keepwire.Lab;
using Keepwire.Reports;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Site reports from where they must not come. A host on the hub's network segment (the lab's client)
/// puts alpha's tunnel addresses on its own uplink and sends "alpha is unhealthy" to the hub's tunnel
/// addresses through the hub's public interface. The hub must not believe it: a report counts only when
/// it arrives through the WireGuard interface and carries alpha's tag.
/// </summary>
[Collection("namespaces")]
public sealed class SpoofedReportTests(FailoverLabFixture fixture) : IClassFixture<FailoverLabFixture>
{
    private const string SpoofedReason = "spoofed by a neighbour";

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_report_with_a_sites_tunnel_address_sent_to_the_public_interface_changes_nothing()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var alpha = Lab.Topology.Site("alpha");
        var hub = Lab.Topology.Hub;
        var startedAt = DateTimeOffset.UtcNow;
        string[][] spoofing =
        [
            ["ip", "address", "add", $"{alpha.Tunnel.IPv4}/32", "dev", "eth0"],
            ["ip", "-6", "address", "add", $"{alpha.Tunnel.IPv6}/128", "dev", "eth0", "nodad"],
            ["ip", "route", "add", $"{hub.Tunnel.IPv4}/32", "via", hub.Public.IPv4.ToString()],
            ["ip", "-6", "route", "add", $"{hub.Tunnel.IPv6}/128", "via", hub.Public.IPv6.ToString()],
        ];
        try
        {
            foreach (var command in spoofing)
                await ExecCheckedAsync("client", command);

            // What an agent sent before reports were signed, and what anyone can write.
            var report = $"{{\"site\":\"alpha\",\"healthy\":false,\"reason\":\"{SpoofedReason}\",\"sequence\":1}}";
            for (var i = 0; i < 10; i++)
            {
                await ExecCheckedAsync("client", ["socat", "-u", "STDIN", $"UDP4-SENDTO:{hub.Tunnel.IPv4}:{SiteReport.Port},bind={alpha.Tunnel.IPv4}"], report);
                await ExecCheckedAsync("client", ["socat", "-u", "STDIN", $"UDP6-SENDTO:[{hub.Tunnel.IPv6}]:{SiteReport.Port},bind=[{alpha.Tunnel.IPv6}]"], report);
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }

            // The hub reads a report within milliseconds; give a loaded machine seconds.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var site = await Lab.SiteAsync("alpha");
            Assert.DoesNotContain(SpoofedReason, site.Health, StringComparison.Ordinal);
            var switches = (await Lab.EventsAsync()).Where(e => e.Time >= startedAt).ToList();
            Assert.True(switches.Count == 0, $"the spoofed reports moved services:\n{FailoverSteps.Describe(switches)}");
            Assert.Equal("alpha", (await Lab.ServiceAsync("web")).ServingSite);
        }
        finally
        {
            await Lab.ExecAsync("client", "ip", "address", "del", $"{alpha.Tunnel.IPv4}/32", "dev", "eth0");
            await Lab.ExecAsync("client", "ip", "-6", "address", "del", $"{alpha.Tunnel.IPv6}/128", "dev", "eth0");
            await Lab.ExecAsync("client", "ip", "route", "del", $"{hub.Tunnel.IPv4}/32");
            await Lab.ExecAsync("client", "ip", "-6", "route", "del", $"{hub.Tunnel.IPv6}/128");
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private async Task ExecCheckedAsync(string host, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var result = await Lab.ExecAsync(host, arguments, standardInput);
        Assert.True(result.Succeeded, $"{string.Join(' ', arguments)} in {host} failed ({result.ExitCode}): {result.StandardError}");
    }
}
