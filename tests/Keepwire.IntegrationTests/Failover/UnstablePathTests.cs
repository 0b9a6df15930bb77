using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// What must NOT cause switching, or not too much of it: a lossy tunnel is not a dead site, and a
/// flapping site switches at most once per hold-down window.
/// </summary>
[Collection("namespaces")]
public sealed class UnstablePathTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private const int LossPercent = 5;
    private static readonly TimeSpan LossDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FlapDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FlapHalfPeriod = TimeSpan.FromMilliseconds(300);

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Five_percent_packet_loss_on_the_tunnel_for_a_minute_causes_no_failover()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var before = await Lab.HubStatusAsync();
        var eventsBefore = await Lab.EventsAsync();
        try
        {
            await PacketLoss.AddAsync(Lab, LossPercent);
            await using var loop = RequestLoop.StartUntilStopped(
                Lab, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15),
                Family.Url(Lab.Topology.Vips.IPv4), Family.Url(Lab.Topology.Vips.IPv6));

            await Task.Delay(LossDuration);

            var counts = await PacketLoss.CountAsync(Lab);
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{LossPercent}% loss for {LossDuration.TotalSeconds} s: {counts}; {requests.Requests.Count} requests: {requests.Summary()}");
            Assert.True(counts.InDropped > 0 && counts.OutDropped > 0, $"the loss rules did not drop both ways: {counts}");

            var after = await Lab.HubStatusAsync();
            var eventsAfter = await Lab.EventsAsync();
            Assert.True(
                eventsAfter.Count == eventsBefore.Count,
                $"the lossy path caused switches:\n{FailoverSteps.Describe(eventsAfter.Skip(eventsBefore.Count))}");
            foreach (var service in before.Services)
            {
                var now = after.Services.Single(s => s.Name == service.Name);
                Assert.True(
                    now.ServingSite == service.ServingSite && now.Epoch == service.Epoch,
                    $"{service.Name} changed from {service.ServingSite} (epoch {service.Epoch}) to {now.ServingSite} (epoch {now.Epoch})");
            }
            Assert.NotEmpty(requests.Answers);
            Assert.All(requests.Answers, a => Assert.StartsWith("site=alpha ", a, StringComparison.Ordinal));
        }
        finally
        {
            await PacketLoss.RemoveAsync(Lab);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    /// <summary>
    /// alpha's nginx goes off and on every 300 ms for 30 s while bravo stays healthy. With
    /// <c>preempt_delay: 0s</c> nothing but the hold-down keeps web from following every flap back
    /// and forth, so the history shows what the hold-down does.
    /// </summary>
    [Fact]
    public async Task A_site_flapping_every_300_ms_causes_at_most_one_switch_per_hold_down_window()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        try
        {
            await Lab.ReloadWithAsync(fixture.LabConfig, FailoverSteps.WebPortsLine, FailoverSteps.WebPortsLine + "    preempt_delay: 0s\n");
            var startedAt = DateTimeOffset.UtcNow;
            var toggles = 0;
            while (DateTimeOffset.UtcNow - startedAt < FlapDuration)
            {
                await Lab.StopSiteWebServerAsync("alpha");
                await Task.Delay(FlapHalfPeriod);
                await Lab.StartSiteWebServerAsync("alpha");
                await Task.Delay(FlapHalfPeriod);
                toggles += 2;
            }
            var endedAt = DateTimeOffset.UtcNow;

            var switches = (await Lab.EventsAsync()).Where(e => e.Service == "web" && e.Automatic && e.Time >= startedAt).ToList();
            output.WriteLine($"{toggles} toggles in {(endedAt - startedAt).TotalSeconds:0.0} s; {switches.Count} automatic switches:\n{FailoverSteps.Describe(switches)}");
            Assert.True(switches.Count >= 2, $"the flapping should have moved web away and back at least once:\n{FailoverSteps.Describe(switches)}");
            foreach (var (earlier, later) in switches.Zip(switches.Skip(1)))
            {
                Assert.True(
                    later.Time - earlier.Time >= FailoverSteps.DefaultHoldDown,
                    $"two automatic switches {(later.Time - earlier.Time).TotalMilliseconds:0} ms apart, within the hold-down:\n{earlier}\n{later}");
            }
            var bravo = await Lab.SiteAsync("bravo");
            Assert.True(bravo.Health == "healthy", $"bravo should have stayed healthy throughout: {bravo}");
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }
}
