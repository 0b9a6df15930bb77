using System.Globalization;
using System.Net;
using Keepwire.Control;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A routed service (<c>mode: routed</c>) added to a running lab, one hub or a pair: an IPv4 /32 and an IPv6 /64 held
/// by alpha and bravo, the client's route to them (what a provider does), and the echo counters that tell which site
/// answered a ping.
/// </summary>
public static class RoutedServiceSteps
{
    public static readonly IPAddress RoutedIPv4 = IPAddress.Parse("198.51.100.90");
    public const string RoutedIPv6Prefix = "2001:db8:190::/64";

    /// <summary>An address inside the routed /64 that is configured nowhere: the site holds the whole prefix.</summary>
    public static readonly IPAddress RoutedIPv6 = IPAddress.Parse("2001:db8:190::5");

    /// <summary>The service, to append to the lab's config (its last section is <c>services:</c>).</summary>
    public static readonly string RoutedService = $$"""
          - name: routed
            mode: routed
            addresses: [{{RoutedIPv4}}, "{{RoutedIPv6Prefix}}"]
            allow: [tcp/80]
            sites: [alpha, bravo]
            checks:
              - { type: http, path: /healthz, expect_body: "site=" }

        """;

    /// <summary>The sites hold the routed addresses of their own copy of the config: every daemon reloads it.</summary>
    public static async Task ReloadEveryNodeAsync(this LabHandle lab, string config)
    {
        await File.WriteAllTextAsync(lab.ConfigPath, config);
        foreach (var node in lab.Topology.Nodes)
        {
            var response = await new ControlClient(lab.DaemonSocketPath(node)).SendAsync(new ControlRequest("reload"));
            Assert.True(response.Ok, $"reload of {node} failed: {response.Error}");
        }
    }

    /// <summary>
    /// The client's route to the routed addresses through <paramref name="nextHop"/> (<c>replace</c> or <c>del</c>), as a
    /// provider routes them to the VPS: the hub's own address, or in a pair a VIP, which keepalived moves.
    /// </summary>
    public static async Task RouteRoutedAddressesAsync(this LabHandle lab, string verb, DualStackAddress nextHop)
    {
        await lab.ExecAsync("client", "ip", "-4", "route", verb, $"{RoutedIPv4}/32", "via", nextHop.IPv4.ToString());
        await lab.ExecAsync("client", "ip", "-6", "route", verb, RoutedIPv6Prefix, "via", nextHop.IPv6.ToString());
    }

    /// <summary>Pings both routed addresses from the client; every echo must be answered, by <paramref name="site"/> and no other.</summary>
    public static async Task AssertEchoAnsweredByAsync(this LabHandle lab, string site)
    {
        var before = await EchoRepliesAsync(lab);
        foreach (var address in new[] { RoutedIPv4, RoutedIPv6 })
        {
            var ping = await lab.ExecAsync("client", "ping", "-c", "3", "-i", "0.2", "-W", "5", address.ToString());
            Assert.True(ping.Succeeded, $"ping {address} from the client failed: {ping.StandardOutput}{ping.StandardError}");
        }
        var after = await EchoRepliesAsync(lab);
        foreach (var other in lab.Topology.Sites.Select(s => s.Name))
        {
            var (v4, v6) = (after[other].IPv4 - before[other].IPv4, after[other].IPv6 - before[other].IPv6);
            if (other == site)
                Assert.True(v4 >= 3 && v6 >= 3, $"{site} answered {v4} IPv4 and {v6} IPv6 echoes, 3 each wanted");
            else
                Assert.True(v4 == 0 && v6 == 0, $"{other} does not serve, but answered {v4} IPv4 and {v6} IPv6 echoes");
        }
    }

    /// <summary>Echo replies each site's kernel has sent so far (its namespace's own counters), per family.</summary>
    private static async Task<Dictionary<string, (long IPv4, long IPv6)>> EchoRepliesAsync(LabHandle lab)
    {
        var replies = new Dictionary<string, (long, long)>();
        foreach (var site in lab.Topology.Sites.Select(s => s.Name))
        {
            var v4 = await lab.ExecAsync(site, "cat", "/proc/net/snmp");
            var v6 = await lab.ExecAsync(site, "cat", "/proc/net/snmp6");
            replies[site] = (SnmpCounter(v4.StandardOutput, "Icmp:", "OutEchoReps"), Snmp6Counter(v6.StandardOutput, "Icmp6OutEchoReplies"));
        }
        return replies;
    }

    /// <summary>A counter of /proc/net/snmp: a header line of names and a line of values, both starting with <paramref name="section"/>.</summary>
    private static long SnmpCounter(string text, string section, string name)
    {
        var lines = text.Split('\n').Where(l => l.StartsWith(section, StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(lines.Count == 2, $"no {section} section in /proc/net/snmp: {text}");
        return long.Parse(lines[1][Array.IndexOf(lines[0], name)], CultureInfo.InvariantCulture);
    }

    /// <summary>A counter of /proc/net/snmp6: one "name value" line each.</summary>
    private static long Snmp6Counter(string text, string name)
    {
        var line = text.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length == 2 && f[0] == name);
        Assert.True(line is not null, $"no {name} in /proc/net/snmp6: {text}");
        return long.Parse(line[1], CultureInfo.InvariantCulture);
    }
}
