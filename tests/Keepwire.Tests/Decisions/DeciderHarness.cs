using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Decisions;

/// <summary>A service with a few sites, one HTTP check (rise 2, fall 2) and a fake clock.</summary>
internal sealed class DeciderHarness
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public DeciderHarness(FailoverPolicyOptions? policy = null, IReadOnlyList<(string Name, int Priority)>? sites = null, IReadOnlyList<string>? extraSites = null, ServicePolicy servicePolicy = ServicePolicy.Failover)
    {
        sites ??= [("a", 300), ("b", 200), ("c", 100)];
        var nodes = sites.Select(s => Node(s.Name, s.Priority)).Concat((extraSites ?? []).Select(s => Node(s, 1))).ToList();
        var service = new ServiceConfig("web", [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], [.. sites.Select(s => s.Name)])
        {
            Policy = servicePolicy,
        };
        Decider = new ServiceDecider(service, nodes, [Check], policy ?? FailoverPolicyOptions.Default, Clock);
    }

    // Rise and fall pinned at 2 so the rule tests read "two failures fail over", whatever the defaults.
    public static CheckDefinition Check { get; } = new("http", CheckKind.Http) { Port = 80, Rise = 2, Fall = 2 };

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
