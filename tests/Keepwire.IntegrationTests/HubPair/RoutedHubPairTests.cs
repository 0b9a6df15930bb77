using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.Lab;
using Xunit.Abstractions;
using static Keepwire.IntegrationTests.Failover.RoutedServiceSteps;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>
/// A routed service (<c>mode: routed</c>, no NAT) in the hub pair: the client's route to the addresses goes through the
/// pair's VIPs, which keepalived moves with the active hub, and both hubs route the addresses into their own tunnel to
/// the serving site. A hub failover keeps the serving site and every connection; a site failure after it moves the
/// addresses to bravo without a failed new connection, the replies leaving through whichever tunnel the request came by.
/// </summary>
[Collection("namespaces")]
public sealed class RoutedHubPairTests(HubPairDaemonLabFixture fixture, ITestOutputHelper output) : IClassFixture<HubPairDaemonLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Routed_addresses_follow_the_active_hub_and_then_fail_over_to_bravo_without_a_failed_new_connection()
    {
        await Lab.RestorePairSteadyStateAsync();
        var client = Lab.Topology.Client;
        try
        {
            await Lab.RouteRoutedAddressesAsync("replace", Lab.Topology.Vips);
            await Lab.ReloadEveryNodeAsync(fixture.LabConfig + RoutedService);
            foreach (var hub in HubPairSteps.Hubs)
                await Lab.WaitAtAsync(hub, "routed served by alpha", s => HubPairSteps.ServingAt(s, "routed") == "alpha", TimeSpan.FromSeconds(60));

            Assert.Equal($"site=alpha client={client.IPv4} server={RoutedIPv4}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv4, path: "/addresses")));
            Assert.Equal($"site=alpha client={client.IPv6} server={RoutedIPv6}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv6, path: "/addresses")));
            await Lab.AssertEchoAnsweredByAsync("alpha");

            await using var loop = RequestLoop.StartUntilStopped(
                Lab, TimeSpan.FromMilliseconds(20), connectTimeout: TimeSpan.FromSeconds(8), requestTimeout: TimeSpan.FromSeconds(15),
                Family.Url(RoutedIPv4, path: "/addresses"), Family.Url(RoutedIPv6, path: "/addresses"));
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");

            // The hub failover: the VIPs, and with them the next hop of the routed addresses, move to the standby.
            var active = await Lab.WaitForVipHolderAsync();
            var standby = HubPairSteps.Other(active);
            var hubCut = await Fault.CauseAsync($"{active}: link cut", () => Lab.CutLinkAsync(active));
            await Lab.WaitForVipHolderAsync(standby);
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, $"the VIPs reached {standby}");
            var afterHubFailover = loop.SoFar();
            Assert.True(afterHubFailover.Failures.Count == 0, $"failed requests across the hub failover: {afterHubFailover.Summary(hubCut)}");
            Assert.Equal(["alpha"], HubPairSteps.SitesInOrder(afterHubFailover));
            Assert.Equal("alpha", HubPairSteps.ServingAt(await Lab.StatusAtAsync(standby), "routed"));

            var siteCut = await Fault.CauseAsync("alpha: link cut", () => Lab.CutLinkAsync("alpha"));
            await Lab.WaitAtAsync(standby, "routed served by bravo", s => HubPairSteps.ServingAt(s, "routed") == "bravo");
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "routed moved to bravo");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(hubCut, siteCut)}");

            Assert.True(requests.FailuresNotInFlightAt(siteCut).Count == 0, $"requests failed that were not in flight when alpha's link was cut: {requests.Summary(hubCut, siteCut)}");
            Assert.Equal(["alpha", "bravo"], HubPairSteps.SitesInOrder(requests));
            Assert.Contains($"site=bravo client={client.IPv4} server={RoutedIPv4}", requests.Answers);
            Assert.Contains($"site=bravo client={client.IPv6} server={RoutedIPv6}", requests.Answers);
            await Lab.AssertEchoAnsweredByAsync("bravo");
        }
        finally
        {
            await Lab.RouteRoutedAddressesAsync("del", Lab.Topology.Vips);
            await Lab.ReloadEveryNodeAsync(fixture.LabConfig);
            await Lab.RestorePairSteadyStateAsync();
        }
    }
}
