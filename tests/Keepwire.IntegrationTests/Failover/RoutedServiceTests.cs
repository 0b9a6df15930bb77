using System.Net;
using Keepwire.Control;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

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
    private static readonly IPAddress RoutedIPv4 = IPAddress.Parse("198.51.100.90");
    private const string RoutedIPv6Prefix = "2001:db8:190::/64";

    /// <summary>An address inside the routed /64 that is configured nowhere: the site holds the whole prefix.</summary>
    private static readonly IPAddress RoutedIPv6 = IPAddress.Parse("2001:db8:190::5");

    private static readonly string RoutedService = $$"""
          - name: routed
            mode: routed
            addresses: [{{RoutedIPv4}}, "{{RoutedIPv6Prefix}}"]
            allow: [tcp/80]
            sites: [alpha, bravo]
            checks:
              - { type: http, path: /healthz, expect_body: "site=" }

        """;

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Routed_addresses_reach_the_serving_site_unchanged_and_fail_over_without_a_failed_new_connection()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var client = Lab.Topology.Client;
        try
        {
            await RouteThroughHubAsync("replace");
            await ReloadEveryNodeAsync(fixture.LabConfig + RoutedService);
            await Lab.WaitForServingAsync("routed", "alpha", TimeSpan.FromSeconds(60));

            // No NAT: the site sees who asked and which address they asked for.
            Assert.Equal($"site=alpha client={client.IPv4} server={RoutedIPv4}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv4, path: "/addresses")));
            Assert.Equal($"site=alpha client={client.IPv6} server={RoutedIPv6}\n", await Lab.GetFromClientAsync(Family.Url(RoutedIPv6, path: "/addresses")));
            await AssertEchoAnsweredByAsync("alpha");
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
            await AssertEchoAnsweredByAsync("bravo");
            var history = await Lab.EventsTextAsync();
            Assert.Contains("routed: alpha → bravo [Failover]", history, StringComparison.Ordinal);
        }
        finally
        {
            await RouteThroughHubAsync("del");
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
            await ReloadEveryNodeAsync(fixture.LabConfig);
        }
    }

    /// <summary>The sites hold the routed addresses of their own copy of the config: every daemon reloads it.</summary>
    private async Task ReloadEveryNodeAsync(string config)
    {
        await File.WriteAllTextAsync(Lab.ConfigPath, config);
        foreach (var node in Lab.Topology.Nodes)
        {
            var response = await new ControlClient(Lab.DaemonSocketPath(node)).SendAsync(new ControlRequest("reload"));
            Assert.True(response.Ok, $"reload of {node} failed: {response.Error}");
        }
    }

    /// <summary>The client's route to the routed addresses through the hub's public address, as a provider routes them to the VPS.</summary>
    private async Task RouteThroughHubAsync(string verb)
    {
        var hub = Lab.Topology.Hub.Public;
        await Lab.ExecAsync("client", "ip", "-4", "route", verb, $"{RoutedIPv4}/32", "via", hub.IPv4.ToString());
        await Lab.ExecAsync("client", "ip", "-6", "route", verb, RoutedIPv6Prefix, "via", hub.IPv6.ToString());
    }

    /// <summary>Pings both routed addresses from the client; every echo must be answered, by <paramref name="site"/> and no other.</summary>
    private async Task AssertEchoAnsweredByAsync(string site)
    {
        var before = await EchoRepliesAsync();
        foreach (var address in new[] { RoutedIPv4, RoutedIPv6 })
        {
            var ping = await Lab.ExecAsync("client", "ping", "-c", "3", "-i", "0.2", "-W", "5", address.ToString());
            Assert.True(ping.Succeeded, $"ping {address} from the client failed: {ping.StandardOutput}{ping.StandardError}");
        }
        var after = await EchoRepliesAsync();
        foreach (var other in Lab.Topology.Sites.Select(s => s.Name))
        {
            var (v4, v6) = (after[other].IPv4 - before[other].IPv4, after[other].IPv6 - before[other].IPv6);
            if (other == site)
                Assert.True(v4 >= 3 && v6 >= 3, $"{site} answered {v4} IPv4 and {v6} IPv6 echoes, 3 each wanted");
            else
                Assert.True(v4 == 0 && v6 == 0, $"{other} does not serve, but answered {v4} IPv4 and {v6} IPv6 echoes");
        }
    }

    /// <summary>Echo replies each site's kernel has sent so far (its namespace's own counters), per family.</summary>
    private async Task<Dictionary<string, (long IPv4, long IPv6)>> EchoRepliesAsync()
    {
        var replies = new Dictionary<string, (long, long)>();
        foreach (var site in Lab.Topology.Sites.Select(s => s.Name))
        {
            var v4 = await Lab.ExecAsync(site, "cat", "/proc/net/snmp");
            var v6 = await Lab.ExecAsync(site, "cat", "/proc/net/snmp6");
            replies[site] = (SnmpCounter(v4.StandardOutput, "Icmp:", "OutEchoReps"), Snmp6Counter(v6.StandardOutput, "Icmp6OutEchoReplies"));
        }
        return replies;
    }

    /// <summary>A counter of /proc/net/snmp: a header line of names and a line of values, both starting with <paramref name="section"/>.</summary>
    private static long SnmpCounter(string text, string section, string name)
    {
        var lines = text.Split('\n').Where(l => l.StartsWith(section, StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(lines.Count == 2, $"no {section} section in /proc/net/snmp: {text}");
        return long.Parse(lines[1][Array.IndexOf(lines[0], name)], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A counter of /proc/net/snmp6: one "name value" line each.</summary>
    private static long Snmp6Counter(string text, string name)
    {
        var line = text.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length == 2 && f[0] == name);
        Assert.True(line is not null, $"no {name} in /proc/net/snmp6: {text}");
        return long.Parse(line[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
