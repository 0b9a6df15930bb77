using System.Net;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The whole path with the real daemons: client → hub VIP → nftables DNAT → WireGuard → site →
/// policy-routed reply back through the tunnel. The site must see the client's own address, never
/// the hub's. Tests that pin the service put it back on alpha (the highest priority) when done.
/// </summary>
[Collection("namespaces")]
public sealed class ServingTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task Http_to_the_vip_reaches_the_highest_priority_site_which_sees_the_client_address(string family)
    {
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);
        var tag = NewTag();

        var body = await Lab.GetFromClientAsync(Family.Url(vip, path: $"/?{tag}"));

        Assert.Equal($"site=alpha client={client}\n", body);
        Assert.Equal("alpha", await Lab.ServingSiteAsync("web"));
        await AssertLoggedFromClientAsync("alpha", tag, client);
    }

    [Fact]
    public async Task The_hub_reports_its_memory_and_runs_with_the_gen0_budget_that_bounds_it()
    {
        var memory = (await Lab.HubStatusAsync()).Memory;

        Assert.NotNull(memory);
        Assert.Equal(6, memory.Gen0BudgetMib);
        Assert.InRange(memory.ResidentMib, 1, 1024);
        Assert.True(memory.ManagedCommittedMib >= memory.ManagedHeapMib, $"{memory.ManagedCommittedMib} MiB committed < {memory.ManagedHeapMib} MiB of heap");
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task The_site_behind_the_nat_serves_the_vip_when_pinned_and_sees_the_client_address(string family)
    {
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);
        var tag = NewTag();
        try
        {
            await Lab.FailoverAsync("web", "charlie");

            var body = await Lab.GetFromClientAsync(Family.Url(vip, path: $"/?{tag}"));

            Assert.Equal($"site=charlie client={client}\n", body);
            await AssertLoggedFromClientAsync("charlie", tag, client);
            // charlie has no public address: the hub knows it only by the NAT router's outside address.
            var charlie = (await Lab.HubStatusAsync()).Sites.Single(s => s.Name == "charlie");
            var nat = Lab.Topology.Nat.Outside;
            Assert.True(
                charlie.Endpoint is { } endpoint && (endpoint.StartsWith($"{nat.IPv4}:", StringComparison.Ordinal) || endpoint.StartsWith($"[{nat.IPv6}]:", StringComparison.Ordinal)),
                $"the hub sees charlie at {charlie.Endpoint ?? "no endpoint"}, not behind the NAT router ({nat.IPv4} / {nat.IPv6})");
        }
        finally
        {
            await Lab.FailoverAsync("web", "alpha");
        }
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task Udp_to_the_vip_is_answered_by_the_serving_site_which_sees_the_client_address(string family)
    {
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);

        var answer = await Lab.UdpEchoFromClientAsync(vip);

        Assert.Equal($"site=alpha client={client}\n", answer);
        Assert.Equal("alpha", await Lab.ServingSiteAsync("echo"));
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task Udp_follows_a_pin_to_the_site_behind_the_nat(string family)
    {
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);
        try
        {
            await Lab.FailoverAsync("echo", "charlie");

            var answer = await Lab.UdpEchoFromClientAsync(vip);

            Assert.Equal($"site=charlie client={client}\n", answer);
        }
        finally
        {
            await Lab.FailoverAsync("echo", "alpha");
        }
    }

    /// <summary>A query string that marks one request, so its line in the access log can be found.</summary>
    private static string NewTag() => "t=" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// nginx logs <c>$remote_addr</c> first: the request's line must start with the client's address,
    /// and no forwarded request may have arrived from one of the hub's addresses (that would be SNAT).
    /// The hub's own health probes (<c>GET /healthz</c> from its tunnel address) are the exception.
    /// </summary>
    private async Task AssertLoggedFromClientAsync(string site, string tag, IPAddress client)
    {
        // nginx writes the log line after the response has gone out: give it a moment.
        var log = await File.ReadAllLinesAsync(Lab.WebAccessLog(site));
        for (var attempt = 0; attempt < 50 && !log.Any(l => l.Contains(tag, StringComparison.Ordinal)); attempt++)
        {
            await Task.Delay(100);
            log = await File.ReadAllLinesAsync(Lab.WebAccessLog(site));
        }
        var line = Assert.Single(log, l => l.Contains(tag, StringComparison.Ordinal));
        Assert.StartsWith($"{client} ", line, StringComparison.Ordinal);

        var hub = Lab.Topology.Hub;
        IPAddress[] hubAddresses = [.. hub.Public.Both, .. hub.Tunnel.Both];
        var fromHub = log
            .Where(l => hubAddresses.Any(a => l.StartsWith($"{a} ", StringComparison.Ordinal)))
            .Where(l => !l.Contains("\"GET /healthz ", StringComparison.Ordinal))
            .ToList();
        Assert.True(fromHub.Count == 0, $"{site} saw requests from a hub address:\n{string.Join('\n', fromHub)}");
    }
}
