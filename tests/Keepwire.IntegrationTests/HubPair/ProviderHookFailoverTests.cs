using System.Net;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>A provider-routed hub-pair lab (no shared layer 2, <c>vip_mover: provider</c>) with every daemon running.</summary>
public sealed class ProviderPairDaemonLabFixture : LabFixture, IAsyncLifetime
{
    protected override LabOptions CreateOptions() => HubPairLabFixture.PairOptions(startDaemons: true) with { ProviderRouted = true };

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Lab.RestorePairSteadyStateAsync();
    }
}

/// <summary>
/// A hub pair whose VIPs reach a hub only because the provider routes them there: the hubs share no layer 2 with
/// anyone, the lab's provider router routes each VIP to one hub's own address, and the generic HTTP provider hook
/// moves that route through the lab's fake provider API. Cutting the active hub's link hands the VIPs to the other
/// hub, whose hook moves the route; a route moved behind the hubs' back is put right by the holder's next check.
/// </summary>
[Collection("namespaces")]
public sealed class ProviderHookFailoverTests(ProviderPairDaemonLabFixture fixture, ITestOutputHelper output) : IClassFixture<ProviderPairDaemonLabFixture>, IAsyncLifetime
{
    /// <summary>Generous: a hook call is a curl through the router, and the lab checks every 2 s.</summary>
    private static readonly TimeSpan RouteTimeout = TimeSpan.FromSeconds(60);

    private LabHandle Lab => fixture.Lab;

    public async Task InitializeAsync()
    {
        await Lab.RestorePairSteadyStateAsync();
        await WaitForProviderRouteAsync(await Lab.WaitForVipHolderAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Cutting_the_active_hubs_link_moves_the_provider_route_through_the_other_hubs_hook_and_new_connections_succeed()
    {
        var active = await Lab.WaitForVipHolderAsync();
        var standby = HubPairSteps.Other(active);

        await using var loop = Lab.StartClientLoop();
        await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");
        var cutAt = DateTimeOffset.UtcNow;
        await Lab.CutLinkAsync(active);
        await Lab.WaitForVipHolderAsync(standby);
        await WaitForProviderRouteAsync(standby);
        var routedAt = DateTimeOffset.UtcNow;
        await loop.WaitForAnswerAfterAsync(routedAt, $"the provider routed the VIPs to {standby}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var result = await loop.StopAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"link of {active} cut {cutAt:HH:mm:ss.fff}, provider route on {standby} seen {routedAt:HH:mm:ss.fff}; {result.Requests.Count} requests: {result.Summary()}");

        // A request in flight at the cut may wait out SYN retries; one started after the route moved must not fail.
        var failedAfterRoute = result.Failures.Where(r => r.Started >= routedAt).ToList();
        Assert.True(failedAfterRoute.Count == 0, $"requests started after the provider routed the VIPs to {standby} failed: {result.Summary()}");
        Assert.True(result.Requests.Any(r => r.Succeeded && r.Started >= routedAt), $"no request was answered through {standby}: {result.Summary()}");
        // The standby follows the active hub's decisions, so the hub taking over keeps alpha serving.
        Assert.Equal(["alpha"], HubPairSteps.SitesInOrder(result));
        var hook = (await Lab.StatusAtAsync(standby)).Pair!.ProviderHook;
        Assert.NotNull(hook);
        Assert.Equal("confirmed", hook.State);
        Assert.True(hook.Assigns >= 1, $"{standby}'s hook: {hook}");
    }

    [Fact]
    public async Task A_route_moved_behind_the_hubs_back_is_put_right_by_the_holders_next_check()
    {
        var holder = await Lab.WaitForVipHolderAsync();
        var driftsBefore = (await Lab.StatusAtAsync(holder)).Pair!.ProviderHook!.Drifts;

        await Lab.MoveProviderRouteAsync(Lab.Topology.Vips.IPv4, HubPairSteps.Other(holder));
        // Not read back here: the holder's check may put the route right before the test could read it (CI saw it
        // back at the holder within that moment). The drift counted below shows the holder found it moved.
        await WaitForProviderRouteAsync(holder);

        var hook = (await Lab.StatusAtAsync(holder)).Pair!.ProviderHook!;
        Assert.True(hook.Drifts > driftsBefore, $"{holder}'s hook should count the drift: {hook}");
        await Lab.WaitForClientAnsweredByAsync("alpha");
    }

    /// <summary>Waits until the provider router sends both VIPs to <paramref name="hub"/>.</summary>
    private async Task WaitForProviderRouteAsync(string hub)
    {
        var deadline = DateTime.UtcNow + RouteTimeout;
        IPAddress[] vips = [Lab.Topology.Vips.IPv4, Lab.Topology.Vips.IPv6];
        var routes = new List<string?>();
        while (DateTime.UtcNow < deadline)
        {
            routes.Clear();
            foreach (var vip in vips)
                routes.Add(await Lab.ProviderRouteAsync(vip));
            if (routes.All(r => r == hub))
                return;
            await Task.Delay(100);
        }

        Assert.Fail($"the provider router should route the VIPs to {hub} within {RouteTimeout.TotalSeconds} s, but routes them to [{string.Join(", ", routes.Select(r => r ?? "nothing"))}]; see {Lab.LogsDirectory}");
    }
}
