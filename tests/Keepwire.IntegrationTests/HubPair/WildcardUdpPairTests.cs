using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>
/// In a hub pair the site has one tunnel per hub and the same tunnel address on both: a UDP server bound to all
/// addresses must answer through the tunnel its client's datagrams arrive on, and keep answering one flow (a
/// fixed source port, as a game or VoIP client keeps) when the VIPs move to the other hub.
/// </summary>
[Collection("namespaces")]
public sealed class WildcardUdpPairTests(HubPairDaemonLabFixture fixture, ITestOutputHelper output) : IClassFixture<HubPairDaemonLabFixture>
{
    private const int SourcePortIPv4 = 40009;
    private const int SourcePortIPv6 = 40010;

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_udp_flow_to_a_server_bound_to_all_addresses_keeps_being_answered_across_a_hub_failover()
    {
        await Lab.RestorePairSteadyStateAsync();
        var labConfig = await File.ReadAllTextAsync(Lab.ConfigPath);
        try
        {
            await WildcardUdp.StartEchoAsync(Lab, "alpha");
            await WildcardUdp.AddServiceAsync(Lab, labConfig);
            foreach (var hub in HubPairSteps.Hubs)
                await Lab.WaitAtAsync(hub, $"{WildcardUdp.Service} on alpha", s => HubPairSteps.ServingAt(s, WildcardUdp.Service) == "alpha");
            var active = await Lab.WaitForVipHolderAsync();

            await AssertAlphaAnswersBothFlowsAsync($"through {active}");
            await Lab.CutLinkAsync(active);
            var standby = await Lab.WaitForVipHolderAsync(HubPairSteps.Other(active));
            await AssertAlphaAnswersBothFlowsAsync($"through {standby}, after {active}'s link was cut");
        }
        finally
        {
            // Service gone first: bravo runs no wildcard echo, and the steady state wants every site healthy.
            await WildcardUdp.RemoveServiceAsync(Lab, labConfig);
            await WildcardUdp.StopEchoAsync(Lab, "alpha");
            await Lab.RestorePairSteadyStateAsync();
        }
    }

    private async Task AssertAlphaAnswersBothFlowsAsync(string when)
    {
        foreach (var (vip, client, sourcePort) in new[]
        {
            (Lab.Topology.Vips.IPv4, Lab.Topology.Client.IPv4, SourcePortIPv4),
            (Lab.Topology.Vips.IPv6, Lab.Topology.Client.IPv6, SourcePortIPv6),
        })
        {
            var answer = await Lab.UdpEchoFromClientAsync(vip, WildcardUdp.Port, sourcePort);
            output.WriteLine($"{when}: {vip} answered {answer.Trim()}");
            Assert.True(answer == $"site=alpha client={client}\n", $"{when}: the flow to {vip}:{WildcardUdp.Port} from port {sourcePort} got '{answer.Trim()}'");
        }
    }
}
