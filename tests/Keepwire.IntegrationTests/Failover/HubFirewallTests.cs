using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A compromised site tries to use the hub as a router: it points a route for an internet host (the lab's
/// client) into its tunnel and opens a TCP connection to it from its tunnel address, while the client routes
/// the answers back through the hub. Forwarded, the SYN would meet the client's refusal (nothing listens on
/// the port) and curl would say "connection refused" at once; the hub forwards nothing a site starts, so curl
/// times out instead. The forwarded services keep working (the other tests with this fixture).
/// </summary>
[Collection("namespaces")]
public sealed class HubFirewallTests(FailoverLabFixture fixture) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_site_cannot_reach_the_internet_through_the_hub()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var alpha = Lab.Topology.Site("alpha");
        var client = Lab.Topology.Client;
        var hub = Lab.Topology.Hub;
        try
        {
            await ExecCheckedAsync("alpha", "ip", "route", "add", $"{client.IPv4}/32", "dev", alpha.WireGuardInterface, "src", alpha.Tunnel.IPv4.ToString());
            await ExecCheckedAsync("client", "ip", "route", "add", $"{alpha.Tunnel.IPv4}/32", "via", hub.Public.IPv4.ToString());

            var curl = await Lab.ExecAsync("alpha", "curl", "-sS", "--connect-timeout", "3", "--interface", alpha.Tunnel.IPv4.ToString(), $"http://{client.IPv4}:9/");

            // curl: 7 "couldn't connect" (refused: the SYN got through), 28 timeout (dropped).
            Assert.True(curl.ExitCode == 28, $"curl exited {curl.ExitCode}: alpha's SYN went through the hub to {client.IPv4}? {curl.StandardError}");
            var dropped = await Lab.ExecAsync("hub", "nft", "list", "chain", "inet", "keepwire", "from_tunnel");
            Assert.Matches("counter packets [1-9][0-9]* bytes [0-9]+ drop comment \"a site only answers", dropped.StandardOutput);
        }
        finally
        {
            await Lab.ExecAsync("alpha", "ip", "route", "del", $"{client.IPv4}/32");
            await Lab.ExecAsync("client", "ip", "route", "del", $"{alpha.Tunnel.IPv4}/32");
        }
    }

    private async Task ExecCheckedAsync(string host, params string[] arguments)
    {
        var result = await Lab.ExecAsync(host, arguments);
        Assert.True(result.Succeeded, $"{string.Join(' ', arguments)} in {host} failed ({result.ExitCode}): {result.StandardError}");
    }
}
