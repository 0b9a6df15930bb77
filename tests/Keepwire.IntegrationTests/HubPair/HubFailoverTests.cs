using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>
/// The hub pair in the lab, with real keepalived moving the VIPs: a hub failover carries new
/// connections to the other hub without losing one and without flipping the serving site; a site
/// failure during a hub failover still ends on a healthy site; and a partition between the hubs
/// leaves one hub holding the VIPs and one site serving.
/// </summary>
[Collection("namespaces")]
public sealed class HubFailoverTests(HubPairDaemonLabFixture fixture, ITestOutputHelper output) : IClassFixture<HubPairDaemonLabFixture>, IAsyncLifetime
{
    private LabHandle Lab => fixture.Lab;

    public Task InitializeAsync() => Lab.RestorePairSteadyStateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Cutting_the_active_hubs_link_moves_new_connections_to_the_other_hub_and_alpha_keeps_serving()
    {
        var active = await Lab.WaitForVipHolderAsync();
        var standby = HubPairSteps.Other(active);
        var epochBefore = (await Lab.StatusAtAsync(standby)).Services.Single(s => s.Name == "web").Epoch;

        await using var loop = Lab.StartClientLoop();
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");
        await Lab.CutLinkAsync(active);
        await Lab.WaitForVipHolderAsync(standby);
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, $"the VIPs reached {standby}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var result = await loop.StopAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{result.Requests.Count} requests: {result.Summary()}");

        // alpha stays alive: even a request in flight at the cut continues through the other hub.
        Assert.True(result.Failures.Count == 0, $"failed requests across the hub failover: {result.Summary()}");
        Assert.Equal(["alpha"], HubPairSteps.SitesInOrder(result));
        var after = await Lab.StatusAtAsync(standby);
        Assert.Equal("alpha", HubPairSteps.ServingAt(after, "web"));
        Assert.Equal(epochBefore, after.Services.Single(s => s.Name == "web").Epoch);
        Assert.Equal("decide", after.Pair!.Role);
    }

    [Fact]
    public async Task Killing_the_active_hubs_daemon_hands_the_vips_over_after_the_grace_and_loses_nothing()
    {
        var active = await Lab.WaitForVipHolderAsync();
        var standby = HubPairSteps.Other(active);

        await using var loop = Lab.StartClientLoop();
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");
        await Lab.KillDaemonAsync(active);
        // The data path stays in the kernel while the daemon is gone; keepalived's liveness check gives the VIPs up after its grace.
        await Lab.WaitForVipHolderAsync(standby);
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, $"the VIPs reached {standby}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var result = await loop.StopAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{result.Requests.Count} requests: {result.Summary()}");

        Assert.True(result.Failures.Count == 0, $"failed requests while {active}'s daemon was dead: {result.Summary()}");
        Assert.Equal(["alpha"], HubPairSteps.SitesInOrder(result));

        // The restarted daemon adopts its keepalived and follows the hub that took over.
        await Lab.StartDaemonAsync(active);
        var back = await Lab.WaitAtAsync(active, "following the active hub", s => s.Pair is { Role: "follow" });
        if (HubPairSteps.ServingAt(back, "web") != "alpha")
        {
            foreach (var hub in HubPairSteps.Hubs)
                output.WriteLine($"{hub}'s log:\n{string.Join('\n', File.ReadLines(Lab.DaemonLogFile(hub)).TakeLast(150))}");
        }
        Assert.Equal("alpha", HubPairSteps.ServingAt(back, "web"));
        Assert.Equal(standby, await Lab.VipHolderAsync());
    }

    [Fact]
    public async Task A_site_failure_during_a_hub_failover_still_ends_on_a_healthy_site()
    {
        var active = await Lab.WaitForVipHolderAsync();
        var standby = HubPairSteps.Other(active);

        await using var loop = Lab.StartClientLoop();
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");
        var fault = await Fault.CauseAsync($"{active}'s link cut and alpha's nginx stopped", () => Task.WhenAll(Lab.CutLinkAsync(active), Lab.StopSiteWebServerAsync("alpha")));
        await Lab.WaitForVipHolderAsync(standby);
        var vipsMovedAt = DateTimeOffset.UtcNow;
        var decided = await Lab.WaitAtAsync(standby, "web served by bravo", s => HubPairSteps.ServingAt(s, "web") == "bravo");
        var bravoSeenAt = DateTimeOffset.UtcNow;
        // A fixed pause here once stopped the loop before it had asked again: a request caught by the fault waits
        // out SYN retransmissions (1, 3, 7 s) on its own schedule, and the last answer was still alpha's.
        await loop.WaitForAnswerAfterAsync(bravoSeenAt, $"{standby} served bravo");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var result = await loop.StopAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{fault}; VIPs on {standby} by {vipsMovedAt:HH:mm:ss.fff}; {standby} serves bravo since {decided.Services.Single(s => s.Name == "web").Since:HH:mm:ss.fff}, seen {bravoSeenAt:HH:mm:ss.fff}");
        output.WriteLine($"{result.Requests.Count} requests: {result.Summary(fault)}\n{result.Timeline()}");

        var afterSwitch = result.Requests.Where(r => r.Succeeded && r.Started >= bravoSeenAt).ToList();
        Assert.True(afterSwitch.All(r => r.Text.StartsWith("site=bravo ", StringComparison.Ordinal)), $"every request after {standby} served bravo should be answered by bravo:\n{result.Timeline()}");
        Assert.Equal("bravo", HubPairSteps.SitesInOrder(result)[^1]);
        Assert.DoesNotContain("charlie", HubPairSteps.SitesInOrder(result));
        // Requests alpha's nginx had accepted when it was stopped are lost with it (as with one hub); every other one retries into bravo.
        Assert.True(result.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight at the fault: {result.Summary(fault)}");
    }

    [Fact]
    public async Task A_partition_between_the_hubs_leaves_the_higher_priority_hub_with_the_vips_and_one_serving_site()
    {
        await using var loop = Lab.StartClientLoop();
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");
        await Lab.PartitionHubsAsync();

        // Documented behaviour (docs/architecture.md, "Hub pair"): both hubs still hear each other through the sites; the
        // lower-priority hub follows and gives the VIPs up, so hub1 (vrrp_priority 150) holds them and decides.
        await Lab.WaitForVipHolderAsync("hub1");
        await Lab.WaitAtAsync("hub2", "following hub1 and yielding", s => s.Pair is { Role: "follow" } pair && !pair.HoldsVips);
        await Task.Delay(TimeSpan.FromSeconds(3));
        // hub2 stays out for as long as it hears hub1 only through the sites: once, this failed in about half the runs,
        // when one pass that saw hub1 silent let hub2's keepalived take the VIPs back (PeerHubView now yields level-triggered).
        var holder = await Lab.VipHolderAsync();
        if (holder != "hub1")
            output.WriteLine($"hub2's log:\n{string.Join('\n', File.ReadLines(Lab.DaemonLogFile("hub2")).TakeLast(120))}");
        Assert.True(holder == "hub1", $"hub1 should still hold the VIPs, alone: {await DescribePairAsync()}");

        // A site failure while partitioned: hub1 decides, hub2 follows through the relays, so both name the same site.
        var fault = await Fault.CauseAsync("alpha's nginx stopped", () => Lab.StopSiteWebServerAsync("alpha"));
        await Lab.WaitAtAsync("hub1", "web served by bravo", s => HubPairSteps.ServingAt(s, "web") == "bravo");
        await Lab.WaitAtAsync("hub2", "web served by bravo (followed)", s => HubPairSteps.ServingAt(s, "web") == "bravo");
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "both hubs served bravo");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var result = await loop.StopAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{result.Requests.Count} requests: {result.Summary(fault)}");

        // Never two sites at once: the client saw alpha, then bravo, and never alpha again.
        Assert.Equal(["alpha", "bravo"], HubPairSteps.SitesInOrder(result));
        Assert.True(result.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight when alpha's nginx stopped: {result.Summary(fault)}");
    }

    /// <summary>Which hub holds which VIPs and what each hub's pair status says, for a failure message.</summary>
    private async Task<string> DescribePairAsync()
    {
        var held = await Lab.VipsByHubAsync();
        var pairs = new List<string>();
        foreach (var hub in held.Keys)
        {
            var pair = (await Lab.StatusAtAsync(hub)).Pair;
            var rejected = pair is null ? "" : string.Join(", ", pair.SyncRejected.Select(r => $"{r.Key} {r.Value}"));
            pairs.Add($"{hub}: VIPs [{string.Join(" ", held[hub])}], pair {pair}, sync rejected [{rejected}]");
        }
        return string.Join("; ", pairs);
    }
}
