using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The data path lives in the kernel, so a crashed hub daemon costs no request; the restarted
/// daemon adopts the nftables table it finds instead of building it again.
/// </summary>
[Collection("namespaces")]
public sealed class HubCrashTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private const int Requests = 300;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Kill_9_of_the_hub_daemon_fails_no_request_and_the_restarted_daemon_adopts_the_table()
    {
        var topology = Lab.Topology;
        await Lab.WaitForHubReconciledAsync(DateTimeOffset.MinValue);
        var handlesBefore = await NftHandles.ReadAsync(Lab, "hub", "inet", "keepwire");
        var logLengthBefore = new FileInfo(Lab.DaemonLogFile("hub")).Length;

        try
        {
            await using var loop = RequestLoop.Start(Lab, Requests, Pause, Family.Url(topology.Vips.IPv4), Family.Url(topology.Vips.IPv6));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.True(loop.IsRunning, "the request loop ended before the hub was killed");

            await Lab.KillDaemonAsync("hub");
            Assert.Null(Lab.DaemonPid("hub"));
            await Task.Delay(TimeSpan.FromSeconds(1));
            var restartedAt = DateTimeOffset.UtcNow;
            await Lab.StartDaemonAsync("hub");
            await Lab.WaitForHubReconciledAsync(restartedAt);
            Assert.True(loop.IsRunning, "the request loop ended before the restarted hub had reconciled: it did not span the whole outage");

            var requests = await loop.CompleteAsync(TimeSpan.FromSeconds(120));
            Assert.True(requests.Requests.Count == Requests && requests.Failures.Count == 0, $"{Requests} requests wanted, all answered: {requests.Summary()}");
            Assert.All(requests.Answers, a => Assert.StartsWith("site=alpha client=", a, StringComparison.Ordinal));
        }
        finally
        {
            await Lab.EnsureHubRunningAsync();
        }

        var handlesAfter = await NftHandles.ReadAsync(Lab, "hub", "inet", "keepwire");
        Assert.True(
            handlesBefore.OrderBy(h => h.Key).SequenceEqual(handlesAfter.OrderBy(h => h.Key)),
            $"the table was not adopted as it was: before {NftHandles.Describe(handlesBefore)}; after {NftHandles.Describe(handlesAfter)}");

        var logAfterRestart = LabClient.ReadLogFrom(Lab.DaemonLogFile("hub"), logLengthBefore);
        Assert.Contains("starting with", logAfterRestart, StringComparison.Ordinal);
        Assert.DoesNotContain("Created nftables table", logAfterRestart, StringComparison.Ordinal);
        Assert.DoesNotContain("Rebuilt nftables table", logAfterRestart, StringComparison.Ordinal);
        // The WireGuard interface (wireguard-go outlives the daemon) is adopted too: a new one would need new handshakes.
        Assert.DoesNotContain("Created WireGuard interface", logAfterRestart, StringComparison.Ordinal);
    }
}
