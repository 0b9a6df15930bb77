using Keepwire.Configuration;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Keepwire.Model;
using Keepwire.Reports;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Site reports from where they must not come. A host on the hub's network segment (the lab's client)
/// puts alpha's tunnel addresses on its own uplink and sends "alpha is unhealthy" to the hub's tunnel
/// addresses through the hub's public interface; and someone on alpha without alpha's key sends reports
/// through the tunnel. The hub must believe neither: a report counts only when it arrives through the
/// WireGuard interface and carries alpha's tag. alpha's genuine reports keep working (LocalCheckTests).
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
        var logFrom = new FileInfo(Lab.DaemonLogFile("hub")).Length;
        string[][] spoofing =
        [
            ["ip", "address", "add", $"{alpha.Tunnel.IPv4}/32", "dev", "eth0"],
            ["ip", "-6", "address", "add", $"{alpha.Tunnel.IPv6}/128", "dev", "eth0", "nodad"],
            ["ip", "route", "add", $"{hub.Tunnel.IPv4}/32", "via", hub.Public.IPv4.ToString()],
            ["ip", "-6", "route", "add", $"{hub.Tunnel.IPv6}/128", "via", hub.Public.IPv6.ToString()],
        ];
        var signed = Path.Combine(Lab.StateDirectory, "spoofed-report");
        try
        {
            foreach (var command in spoofing)
                await ExecCheckedAsync("client", command);

            // What an agent sent before reports were signed, and what anyone can write; then a report signed
            // with alpha's own key (as if it had leaked): only the interface it arrives on gives it away.
            var unsigned = $"{{\"site\":\"alpha\",\"healthy\":false,\"reason\":\"{SpoofedReason}\",\"sequence\":1}}";
            await File.WriteAllBytesAsync(signed, SignedAsAlpha(SpoofedReason));
            for (var i = 0; i < 10; i++)
            {
                await ExecCheckedAsync("client", ["socat", "-u", "STDIN", $"UDP4-SENDTO:{hub.Tunnel.IPv4}:{SiteReport.Port},bind={alpha.Tunnel.IPv4}"], unsigned);
                await ExecCheckedAsync("client", ["socat", "-u", "STDIN", $"UDP6-SENDTO:[{hub.Tunnel.IPv6}]:{SiteReport.Port},bind=[{alpha.Tunnel.IPv6}]"], unsigned);
                await ExecCheckedAsync("client", ["socat", "-u", $"OPEN:{signed}", $"UDP6-SENDTO:[{hub.Tunnel.IPv6}]:{SiteReport.Port},bind=[{alpha.Tunnel.IPv6}]"]);
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }

            // The hub reads a report within milliseconds; give a loaded machine seconds.
            await Task.Delay(TimeSpan.FromSeconds(3));
            await AssertUnmovedAsync(startedAt);
            Assert.Contains("packets", await HubNftAsync("input"), StringComparison.Ordinal);
            var log = LabClient.ReadLogFrom(Lab.DaemonLogFile("hub"), logFrom);
            Assert.DoesNotContain(SpoofedReason, log, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(signed);
            await Lab.ExecAsync("client", "ip", "address", "del", $"{alpha.Tunnel.IPv4}/32", "dev", "eth0");
            await Lab.ExecAsync("client", "ip", "-6", "address", "del", $"{alpha.Tunnel.IPv6}/128", "dev", "eth0");
            await Lab.ExecAsync("client", "ip", "route", "del", $"{hub.Tunnel.IPv4}/32");
            await Lab.ExecAsync("client", "ip", "-6", "route", "del", $"{hub.Tunnel.IPv6}/128");
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    [Fact]
    public async Task Reports_through_the_tunnel_without_alphas_key_change_nothing_and_are_logged()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var alpha = Lab.Topology.Site("alpha");
        var hub = Lab.Topology.Hub;
        var startedAt = DateTimeOffset.UtcNow;
        var logFrom = new FileInfo(Lab.DaemonLogFile("hub")).Length;
        var forged = Path.Combine(Lab.StateDirectory, "forged-report");
        try
        {
            // Anyone on alpha can send from alpha's tunnel address; only root there can read alpha's key.
            var intruder = KeyPair.Generate();
            using (var key = SiteReportKey.ForSite(intruder.PrivateKey, WireGuardKey.Parse(Lab.PublicKey("hub")), "hub", "alpha"))
                await File.WriteAllBytesAsync(forged, SiteReportCodec.Encode(new SiteReport("alpha", false, SpoofedReason, Guid.NewGuid(), 1, DateTimeOffset.UtcNow), key));
            var unsigned = $"{{\"site\":\"alpha\",\"healthy\":false,\"reason\":\"{SpoofedReason}\",\"sequence\":1}}";
            for (var i = 0; i < 10; i++)
            {
                await ExecCheckedAsync("alpha", ["socat", "-u", $"OPEN:{forged}", $"UDP4-SENDTO:{hub.Tunnel.IPv4}:{SiteReport.Port},bind={alpha.Tunnel.IPv4}"]);
                await ExecCheckedAsync("alpha", ["socat", "-u", "STDIN", $"UDP4-SENDTO:{hub.Tunnel.IPv4}:{SiteReport.Port},bind={alpha.Tunnel.IPv4}"], unsigned);
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }

            await WaitForHubLogAsync(logFrom, "site reports: a report from alpha");
            await WaitForHubLogAsync(logFrom, "with a bad tag");
            await WaitForHubLogAsync(logFrom, "sends unsigned reports");
            await AssertUnmovedAsync(startedAt);
        }
        finally
        {
            File.Delete(forged);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private byte[] SignedAsAlpha(string reason)
    {
        var alphaKey = KeyFile.ReadPrivateKey(Lab.PrivateKeyFile("alpha"));
        using var key = SiteReportKey.ForSite(alphaKey, WireGuardKey.Parse(Lab.PublicKey("hub")), "hub", "alpha");
        return SiteReportCodec.Encode(new SiteReport("alpha", false, reason, Guid.NewGuid(), 1, DateTimeOffset.UtcNow), key);
    }

    private async Task AssertUnmovedAsync(DateTimeOffset since)
    {
        var site = await Lab.SiteAsync("alpha");
        Assert.DoesNotContain(SpoofedReason, site.Health, StringComparison.Ordinal);
        var switches = (await Lab.EventsAsync()).Where(e => e.Time >= since).ToList();
        Assert.True(switches.Count == 0, $"the reports moved services:\n{FailoverSteps.Describe(switches)}");
        Assert.Equal("alpha", (await Lab.ServiceAsync("web")).ServingSite);
    }

    private async Task<string> HubNftAsync(string chain)
    {
        var result = await Lab.ExecAsync("hub", "nft", "list", "chain", "inet", "keepwire", chain);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput;
    }

    private async Task WaitForHubLogAsync(long offset, string text)
    {
        var deadline = DateTime.UtcNow + FailoverSteps.DecisionTimeout;
        while (!LabClient.ReadLogFrom(Lab.DaemonLogFile("hub"), offset).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the hub did not log '{text}': {LabClient.ReadLogTail(Lab.DaemonLogFile("hub"))}");
            await Task.Delay(100);
        }
    }

    private async Task ExecCheckedAsync(string host, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var result = await Lab.ExecAsync(host, arguments, standardInput);
        Assert.True(result.Succeeded, $"{string.Join(' ', arguments)} in {host} failed ({result.ExitCode}): {result.StandardError}");
    }
}
