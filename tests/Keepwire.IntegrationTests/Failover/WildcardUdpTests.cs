using Keepwire.Decisions;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A UDP server bound to all addresses answers clients through the VIP, over both families, and its service
/// fails over like any other: the site agent gives its replies the tunnel address (docs/configuration.md, "UDP
/// services"). Without that the server answered from the site's public address, the client got nothing, and
/// the hub's check (whose replies route into the tunnel anyway) still called the site healthy.
/// </summary>
[Collection("namespaces")]
public sealed class WildcardUdpTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_udp_server_bound_to_all_addresses_answers_clients_through_the_vip_and_fails_over()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await WildcardUdp.StartEchoAsync(Lab, "alpha");
            await WildcardUdp.StartEchoAsync(Lab, "bravo");
            await WildcardUdp.AddServiceAsync(Lab, fixture.LabConfig);
            await Lab.WaitForServingAsync(WildcardUdp.Service, "alpha");

            foreach (var family in new[] { "IPv4", "IPv6" })
            {
                var vip = Family.Pick(family, Lab.Topology.Vips);
                var client = Family.Pick(family, Lab.Topology.Client);
                Assert.Equal($"site=alpha client={client}\n", await Lab.UdpEchoFromClientAsync(vip, WildcardUdp.Port));
            }

            await WildcardUdp.StopEchoAsync(Lab, "alpha");
            await Lab.WaitForServingAsync(WildcardUdp.Service, "bravo");
            foreach (var family in new[] { "IPv4", "IPv6" })
            {
                var vip = Family.Pick(family, Lab.Topology.Vips);
                var client = Family.Pick(family, Lab.Topology.Client);
                Assert.Equal($"site=bravo client={client}\n", await Lab.UdpEchoFromClientAsync(vip, WildcardUdp.Port));
            }

            var events = (await Lab.EventsAsync()).Where(e => e.Time >= startedAt && e.Service == WildcardUdp.Service).ToList();
            output.WriteLine(FailoverSteps.Describe(events));
            Assert.Contains(events, e => e is { From: "alpha", To: "bravo", Reason: DecisionReason.Failover });
        }
        finally
        {
            await WildcardUdp.StopEchoAsync(Lab, "alpha");
            await WildcardUdp.StopEchoAsync(Lab, "bravo");
            await WildcardUdp.RemoveServiceAsync(Lab, fixture.LabConfig);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }
}
