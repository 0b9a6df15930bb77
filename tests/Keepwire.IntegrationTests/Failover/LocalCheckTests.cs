using Keepwire.Decisions;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A site's own local check, end to end: alpha's agent finds its check failing while everything the
/// hub probes at alpha still answers, reports that through the tunnel, and the hub moves alpha's
/// services to bravo naming the check; once the check passes again, traffic returns after the
/// preempt delay.
/// </summary>
[Collection("namespaces")]
public sealed class LocalCheckTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_failing_local_check_moves_the_sites_services_to_the_next_site_and_they_return_once_it_passes()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var flag = Lab.LocalCheckFlagFile("alpha");
        var failure = $"agent reports unhealthy: local check {LabHandle.LocalCheckName} failed: exit 1";
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await using var loop = Lab.StartClientLoop();
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");

            // Made inside alpha's namespace, as an operator's or a monitor's flag would be.
            var flagAt = DateTimeOffset.UtcNow;
            await ExecCheckedAsync("alpha", "touch", flag);
            var failedAt = DateTimeOffset.UtcNow;
            var moved = await Lab.WaitForServingAsync("web", "bravo");
            // alpha still serves when its report takes it out, but the switch is unplanned, so the hub deletes web's
            // flows to alpha, somewhere between the flag and the status saying bravo: a request whose connection is
            // open at that instant can lose it mid-stream (its next packet is NATed afresh, to bravo, which resets it).
            var flush = new Fault("alpha's flows deleted at the unplanned switch", flagAt, DateTimeOffset.UtcNow);
            await Lab.WaitForServingAsync("echo", "bravo");
            output.WriteLine($"web on bravo {(moved.Since - failedAt)?.TotalMilliseconds:0} ms after the flag appeared");

            // The hub's own probes of alpha still pass: only the agent's report took alpha out.
            var alpha = await Lab.SiteAsync("alpha");
            Assert.True(alpha.Checks.All(c => c.State == "healthy"), $"alpha's probes should still pass: {FailoverSteps.DescribeStatus(await Lab.HubStatusAsync())}");
            Assert.Contains(failure, alpha.Health, StringComparison.Ordinal);
            Assert.Equal($"site=bravo client={Lab.Topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(Lab.Topology.Vips.IPv4)));
            Assert.Equal($"site=bravo client={Lab.Topology.Client.IPv6}\n", await Lab.UdpEchoFromClientAsync(Lab.Topology.Vips.IPv6));

            var failovers = (await Lab.EventsAsync()).Where(e => e.Time >= startedAt).ToList();
            foreach (var service in new[] { "web", "echo" })
            {
                var failover = Assert.Single(failovers, e => e.Service == service);
                Assert.True(
                    failover is { From: "alpha", To: "bravo", Reason: DecisionReason.Failover, Automatic: true, Planned: false },
                    $"an unplanned automatic failover of {service} from alpha wanted: {failover}");
                Assert.Contains($"alpha: {failure}", failover.Detail, StringComparison.Ordinal);
            }
            var history = await Lab.EventsTextAsync();
            Assert.Contains("web: alpha → bravo [Failover]", history, StringComparison.Ordinal);
            Assert.Contains($"local check {LabHandle.LocalCheckName} failed", history, StringComparison.Ordinal);

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "web moved to bravo");
            // Stamped before the flag goes: the agent may run its check and report it passing before rm's exec returns.
            var passingAt = DateTimeOffset.UtcNow;
            await ExecCheckedAsync("alpha", "rm", flag);
            await Lab.WaitForHealthyAsync("alpha");
            var back = await Lab.WaitForServingAsync("web", "alpha");
            await Lab.WaitForServingAsync("echo", "alpha");
            output.WriteLine($"web back on alpha {(back.Since - passingAt)?.TotalMilliseconds:0} ms after the flag went");

            var preempts = (await Lab.EventsAsync()).Where(e => e.Time >= passingAt).ToList();
            foreach (var service in new[] { "web", "echo" })
            {
                var preempt = Assert.Single(preempts, e => e.Service == service);
                Assert.True(
                    preempt is { From: "bravo", To: "alpha", Reason: DecisionReason.Preempted, Planned: true },
                    $"a planned preempt of {service} back to alpha wanted: {preempt}");
                Assert.True(
                    preempt.Time >= passingAt + FailoverSteps.DefaultPreemptDelay,
                    $"{service} back on alpha at {preempt.Time:HH:mm:ss.fff}, less than the preempt delay after the flag was removed (from {passingAt:HH:mm:ss.fff})");
            }

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "web moved back to alpha");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(flush)}");
            Assert.Contains(requests.Answers, a => a.StartsWith("site=bravo ", StringComparison.Ordinal));
            Assert.True(requests.Answers[^1].StartsWith("site=alpha ", StringComparison.Ordinal), $"the last answers should come from alpha again: {requests.Summary(flush)}");
            Assert.True(requests.FailuresNotInFlightAt(flush).Count == 0, $"requests failed that were not in flight when alpha's flows were deleted: {requests.Summary(flush)}");
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private async Task ExecCheckedAsync(string host, params string[] arguments)
    {
        var result = await Lab.ExecAsync(host, arguments);
        Assert.True(result.Succeeded, $"{string.Join(' ', arguments)} in {host} failed ({result.ExitCode}): {result.StandardError}");
    }
}
