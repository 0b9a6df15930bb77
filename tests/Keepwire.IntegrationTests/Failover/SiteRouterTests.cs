using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A site as a router in front of LAN servers (<c>backends:</c>), with the real daemons: the hub forwards to alpha's
/// tunnel address as always and alpha's agent forwards on to the LAN server. The server sees the client's own address
/// when it routes back through the router, the router's when the router masquerades for it; the hub's checks go the
/// same way, so a dead LAN server fails its service over to bravo under a request loop without a failed new
/// connection, while alpha keeps serving what it serves itself.
/// </summary>
[Collection("namespaces")]
public sealed class SiteRouterTests(SiteRouterLabFixture fixture, ITestOutputHelper output) : IClassFixture<SiteRouterLabFixture>
{
    /// <summary>How long the request loop runs before the fault and after the switch.</summary>
    private static readonly TimeSpan Traffic = TimeSpan.FromSeconds(3);

    private LabHandle Lab => fixture.Lab;

    private LabLanServer Lan1 => Lab.Lan.Server("lan1");

    private LabLanServer Lan2 => Lab.Lan.Server("lan2");

    [Fact]
    public async Task The_lan_server_sees_the_clients_address_through_the_router_and_the_masqueraded_one_the_routers()
    {
        await RestoreAsync();
        var client = Lab.Topology.Client;
        var vips = Lab.Topology.Vips;
        var router = Lab.Lan.RouterAddress;

        Assert.Equal($"site=lan1 client={client.IPv4} server={Lan1.Address.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(vips.IPv4, Lan1.Port, "/addresses")));
        Assert.Equal($"site=lan1 client={client.IPv6} server={Lan1.Address.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(vips.IPv6, Lan1.Port, "/addresses")));
        // lan2 does not route back through alpha: alpha masquerades, so lan2 sees alpha's LAN address.
        Assert.Equal($"site=lan2 client={router.IPv4} server={Lan2.Address.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(vips.IPv4, Lan2.Port, "/addresses")));
        Assert.Equal($"site=lan2 client={router.IPv6} server={Lan2.Address.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(vips.IPv6, Lan2.Port, "/addresses")));

        // The hub's checks reach the LAN server through the router, from the hub's tunnel address; and web is still alpha's own.
        var hub = Lab.Topology.Hub.Tunnel.IPv4.ToString();
        var checks = await File.ReadAllLinesAsync(Lab.LanWebAccessLog("lan1"));
        Assert.Contains(checks, line => line.StartsWith(hub + " ", StringComparison.Ordinal) && line.Contains("GET /healthz", StringComparison.Ordinal));
        Assert.Equal($"site=alpha client={client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(vips.IPv4)));
    }

    /// <param name="failure">How lan1 dies: its nginx stops (its kernel refuses the connections), or its link is cut (it is gone).</param>
    [Theory]
    [InlineData("nginx stopped")]
    [InlineData("link cut")]
    public async Task A_dead_lan_server_fails_its_service_over_without_a_failed_new_connection_while_the_router_keeps_its_own(string failure)
    {
        await RestoreAsync();
        var client = Lab.Topology.Client;
        var vips = Lab.Topology.Vips;
        try
        {
            await using var loop = RequestLoop.StartUntilStopped(
                Lab, TimeSpan.FromMilliseconds(20), connectTimeout: TimeSpan.FromSeconds(8), requestTimeout: TimeSpan.FromSeconds(15),
                Family.Url(vips.IPv4, Lan1.Port, "/addresses"), Family.Url(vips.IPv6, Lan1.Port, "/addresses"));
            // Some traffic on both families through the router before the fault, and some after the switch.
            var started = DateTimeOffset.UtcNow;
            await loop.WaitForAsync("answered by lan1 over IPv6", r => r.Text.StartsWith($"site=lan1 client={client.IPv6} ", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
            await loop.WaitForAnswerAfterAsync(started + Traffic, "the loop ran a while");

            var fault = await Fault.CauseAsync($"lan1: {failure}", () => failure == "link cut" ? Lab.CutLanLinkAsync("lan1") : Lab.StopLanWebServerAsync("lan1"));
            var moved = await Lab.WaitForServingAsync(Lan1.Service, "bravo");
            output.WriteLine($"{Lan1.Service} on bravo {(moved.Since - fault.End)?.TotalMilliseconds:0} ms after {fault.What} (epoch {moved.Epoch})");
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow + Traffic, $"{Lan1.Service} moved to bravo");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(fault)}");

            Assert.True(requests.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight at {fault.What}: {requests.Summary(fault)}");
            Assert.Contains($"site=lan1 client={client.IPv4} server={Lan1.Address.IPv4}", requests.Answers);
            Assert.Contains($"site=lan1 client={client.IPv6} server={Lan1.Address.IPv6}", requests.Answers);
            Assert.Contains($"site=bravo client={client.IPv4} server={Lab.Topology.Site("bravo").Tunnel.IPv4}", requests.Answers);
            Assert.Contains($"site=bravo client={client.IPv6} server={Lab.Topology.Site("bravo").Tunnel.IPv6}", requests.Answers);
            Assert.Contains($"{Lan1.Service}: alpha → bravo [Failover]", await Lab.EventsTextAsync(), StringComparison.Ordinal);

            // Only the LAN server failed: alpha still serves what it serves itself, and what it forwards to lan2.
            foreach (var service in new[] { "web", "echo", Lan2.Service })
                Assert.Equal("alpha", (await Lab.ServiceAsync(service)).ServingSite);
        }
        finally
        {
            await RestoreAsync();
        }
    }

    /// <summary>The failover lab's steady state, both LAN servers linked and their nginx running, and both LAN services served by alpha.</summary>
    private async Task RestoreAsync()
    {
        foreach (var server in Lab.Lan.Servers)
        {
            await Lab.RestoreLanLinkAsync(server.Name);
            var listening = await Lab.ExecAsync(server.Name, "ss", "-Hlnt", $"( sport = :{server.Port} )");
            if (!listening.StandardOutput.Contains($":{server.Port}", StringComparison.Ordinal))
            {
                await Lab.StopLanWebServerAsync(server.Name);
                await Lab.StartLanWebServerAsync(server.Name);
            }
        }
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        foreach (var server in Lab.Lan.Servers)
            await Lab.WaitForServingAsync(server.Service, "alpha", TimeSpan.FromSeconds(60));
    }
}
