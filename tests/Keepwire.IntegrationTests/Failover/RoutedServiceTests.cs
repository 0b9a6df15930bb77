using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;
using static Keepwire.IntegrationTests.Failover.RoutedServiceSteps;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A routed service (<c>mode: routed</c>, no NAT) with the real daemons: an IPv4 /32 and an IPv6 /64 routed into the
/// serving site's tunnel, held by both sites. The site's server sees the client's address and the public address the
/// client asked for, ICMP echo to them is answered by the serving site, and when that site's link is cut both move to
/// the next site under a request loop without a failed new connection (a request in flight at the cut may be lost).
/// The lab's client stands for the internet: its route to the addresses through the hub is what a provider does.
/// </summary>
[Collection("namespaces")]
public sealed class RoutedServiceTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Routed_addresses_reach_the_serving_site_unchanged_and_fail_over_without_a_failed_new_connection()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var client = Lab.Topology.Client;
        try
        {
            await Lab.RouteRoutedAddressesAsync("replace", Lab.Topology.Hub.Public);
            await Lab.ReloadEveryNodeAsync(fixture.LabConfig + RoutedServiceSteps.RoutedService);
            await Lab.WaitForServingAsync("routed", "alpha", TimeSpan.FromSeconds(60));

            // No NAT: the site sees who asked and which address they asked for.
            Assert.Equal($"site=alpha client={client.IPv4} server={RoutedIPv4}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv4, path: "/addresses")));
            Assert.Equal($"site=alpha client={client.IPv6} server={RoutedIPv6}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv6, path: "/addresses")));
            await Lab.AssertEchoAnsweredByAsync("alpha");
            // Replies from the routed addresses go back into the tunnel, never through the site's own uplink.
            foreach (var (address, to) in new[] { (RoutedIPv4, client.IPv4), (RoutedIPv6, client.IPv6) })
            {
                var route = await Lab.ExecAsync("alpha", "ip", "route", "get", to.ToString(), "from", address.ToString());
                Assert.True(route.Succeeded && route.StandardOutput.Contains($"dev {Lab.Topology.Site("alpha").WireGuardInterface}", StringComparison.Ordinal),
                    $"a reply from {address} to {to} should leave through the tunnel: {route.StandardOutput}{route.StandardError}");
            }

            await using var loop = RequestLoop.StartUntilStopped(
                Lab, TimeSpan.FromMilliseconds(20), connectTimeout: TimeSpan.FromSeconds(8), requestTimeout: TimeSpan.FromSeconds(15),
                Family.Url(RoutedIPv4, path: "/addresses"), Family.Url(RoutedIPv6, path: "/addresses"));
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");

            var fault = await Fault.CauseAsync("alpha: link cut", () => Lab.CutLinkAsync("alpha"));
            var moved = await Lab.WaitForServingAsync("routed", "bravo");
            output.WriteLine($"routed on bravo {(moved.Since - fault.End)?.TotalMilliseconds:0} ms after the cut (epoch {moved.Epoch})");
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "routed moved to bravo");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(fault)}");

            Assert.True(requests.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight when alpha's link was cut: {requests.Summary(fault)}");
            Assert.Contains($"site=bravo client={client.IPv4} server={RoutedIPv4}", requests.Answers);
            Assert.Contains($"site=bravo client={client.IPv6} server={RoutedIPv6}", requests.Answers);
            await Lab.AssertEchoAnsweredByAsync("bravo");
            var history = await Lab.EventsTextAsync();
            Assert.Contains("routed: alpha → bravo [Failover]", history, StringComparison.Ordinal);
        }
        finally
        {
            await Lab.RouteRoutedAddressesAsync("del", Lab.Topology.Hub.Public);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
            await Lab.ReloadEveryNodeAsync(fixture.LabConfig);
        }
    }
}
