using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>The hub-pair lab whose alpha is also a router in front of a LAN with two nginx servers (<c>--hub-pair --site-router</c>).</summary>
public sealed class SiteRouterPairLabFixture : HubPairDaemonLabFixture
{
    protected override LabOptions CreateOptions() => base.CreateOptions() with { SiteRouter = true };
}

/// <summary>
/// A router site in a hub pair: the LAN server's replies find the tunnel of the hub their connection came by through the
/// connection's mark, so after a hub failover the server still sees every client's own address and no connection is
/// lost; a dead LAN server then fails its service over to bravo through the hub that took over.
/// </summary>
[Collection("namespaces")]
public sealed class SiteRouterPairTests(SiteRouterPairLabFixture fixture, ITestOutputHelper output) : IClassFixture<SiteRouterPairLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    private LabLanServer Lan1 => Lab.Lan.Server("lan1");

    [Fact]
    public async Task The_lan_server_keeps_the_clients_address_across_a_hub_failover_and_fails_over_to_bravo_through_the_new_hub()
    {
        await Lab.RestorePairSteadyStateAsync();
        var client = Lab.Topology.Client;
        var vips = Lab.Topology.Vips;
        try
        {
            await using var loop = RequestLoop.StartUntilStopped(
                Lab, TimeSpan.FromMilliseconds(20), connectTimeout: TimeSpan.FromSeconds(8), requestTimeout: TimeSpan.FromSeconds(15),
                Family.Url(vips.IPv4, Lan1.Port, "/addresses"), Family.Url(vips.IPv6, Lan1.Port, "/addresses"));
            await loop.WaitForAsync("answered by lan1 over IPv6", r => r.Text.StartsWith($"site=lan1 client={client.IPv6} ", StringComparison.Ordinal), TimeSpan.FromSeconds(40));

            var active = await Lab.WaitForVipHolderAsync();
            var standby = HubPairSteps.Other(active);
            var hubCut = await Fault.CauseAsync($"{active}: link cut", () => Lab.CutLinkAsync(active));
            await Lab.WaitForVipHolderAsync(standby);
            var reached = DateTimeOffset.UtcNow;
            await loop.WaitForAsync($"lan1 answering IPv4 through {standby}", r => r.Started > reached && r.Text.StartsWith($"site=lan1 client={client.IPv4} ", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
            await loop.WaitForAsync($"lan1 answering IPv6 through {standby}", r => r.Started > reached && r.Text.StartsWith($"site=lan1 client={client.IPv6} ", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
            var acrossHubFailover = loop.SoFar();
            Assert.True(acrossHubFailover.Failures.Count == 0, $"failed requests across the hub failover: {acrossHubFailover.Summary(hubCut)}");
            Assert.Equal(["lan1"], HubPairSteps.SitesInOrder(acrossHubFailover));

            var lanFault = await Fault.CauseAsync("lan1: nginx stopped", () => Lab.StopLanWebServerAsync("lan1"));
            await Lab.WaitAtAsync(standby, $"{Lan1.Service} served by bravo", s => HubPairSteps.ServingAt(s, Lan1.Service) == "bravo");
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, $"{Lan1.Service} moved to bravo");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(hubCut, lanFault)}");

            Assert.True(requests.FailuresNotInFlightAt(lanFault).Count == 0, $"requests failed that were not in flight when lan1 stopped: {requests.Summary(hubCut, lanFault)}");
            Assert.Equal(["lan1", "bravo"], HubPairSteps.SitesInOrder(requests));
            Assert.DoesNotContain(requests.Answers, answer => answer.StartsWith("site=lan1 ", StringComparison.Ordinal)
                && !answer.StartsWith($"site=lan1 client={client.IPv4} ", StringComparison.Ordinal) && !answer.StartsWith($"site=lan1 client={client.IPv6} ", StringComparison.Ordinal));
        }
        finally
        {
            await Lab.StopLanWebServerAsync("lan1");
            await Lab.StartLanWebServerAsync("lan1");
            await Lab.RestorePairSteadyStateAsync();
        }
    }
}
