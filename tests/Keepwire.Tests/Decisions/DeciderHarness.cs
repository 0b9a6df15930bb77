using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Decisions;

/// <summary>A service with a few sites, one HTTP check (rise 2, fall 2) and a fake clock.</summary>
internal sealed class DeciderHarness
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public DeciderHarness(FailoverPolicyOptions? policy = null, IReadOnlyList<(string Name, int Priority)>? sites = null, IReadOnlyList<string>? extraSites = null, ServicePolicy servicePolicy = ServicePolicy.Failover, CheckDefinition? check = null)
    {
        sites ??= [("a", 300), ("b", 200), ("c", 100)];
        var nodes = sites.Select(s => Node(s.Name, s.Priority)).Concat((extraSites ?? []).Select(s => Node(s, 1))).ToList();
        var service = new ServiceConfig("web", [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], [.. sites.Select(s => s.Name)])
        {
            Policy = servicePolicy,
        };
        Decider = new ServiceDecider(service, nodes, [check ?? Check], policy ?? FailoverPolicyOptions.Default, Clock);
    }

    /// <summary>
    /// A probe interval for checks in rule tests, which feed results by hand and let time pass: a check this slow
    /// keeps its verdict through them (its stale bound is minutes). Staleness has tests of its own, with a fast check.
    /// </summary>
    public static readonly TimeSpan SlowInterval = TimeSpan.FromMinutes(1);

    // Rise and fall pinned at 2 so the rule tests read "two failures fail over", whatever the defaults.
    public static CheckDefinition Check { get; } = new("http", CheckKind.Http) { Port = 80, Rise = 2, Fall = 2, Interval = SlowInterval };

    public FakeTimeProvider Clock { get; } = new(Start);

    public ServiceDecider Decider { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static SiteNode Node(string name, int priority) => new(
        name,
        WireGuardKey.Parse(Convert.ToBase64String(new byte[32])),
        priority,
        SiteMode.Agent,
        TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), null),
        "kw0",
        "/etc/keepwire/site.key",
        25);

    /// <summary>A hub node for engine tests: interface kw0, tunnel 10.77.0.1/24, in a pair with the given VRRP priority.</summary>
    public static HubNode Hub(string name = "hub", int vrrpPriority = 0) => new(
        name,
        new HostEndpoint("hub.example.net", 51820),
        51820,
        "kw0",
        "eth0",
        WireGuardKey.Parse(Convert.ToBase64String(new byte[32])),
        "/etc/keepwire/hub.key",
        new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, null, 0),
        [])
    {
        VrrpPriority = vrrpPriority,
        PairAddress = vrrpPriority == 0 ? null : IPAddress.Parse($"192.0.2.{vrrpPriority % 250}"),
    };

    public void Pass(params string[] sites)
    {
        foreach (var site in sites)
            Decider.Record(CheckResult.Passed(site, "http", Now, "status 200"));
    }

    public void Fail(string site, string detail = "connection refused") =>
        Decider.Record(CheckResult.Failed(site, "http", Now, detail));

    /// <summary>Enough successes (rise) to make the sites healthy.</summary>
    public void MakeHealthy(params string[] sites)
    {
        for (var i = 0; i < Check.Rise; i++)
            Pass(sites);
    }

    public void MakeUnhealthy(string site, string detail = "connection refused")
    {
        for (var i = 0; i < Check.Fall; i++)
            Fail(site, detail);
    }

    public void Advance(double milliseconds) => Clock.Advance(TimeSpan.FromMilliseconds(milliseconds));

    public ServiceDecision Decide() => Decider.Decide();
}
