using System.Net;
using Keepwire.Decisions;
using Keepwire.Health;
using Keepwire.Model;
using Keepwire.Tests.Decisions;

namespace Keepwire.Tests.Health;

public sealed class ProbePlanTests
{
    private static readonly CheckDefinition Healthz = new("http", CheckKind.Http) { Port = 80, Path = "/healthz" };

    private static SiteNode Site(string name, string address) =>
        DeciderHarness.Node(name, 100) with { Tunnel = TunnelAddresses.Host(IPAddress.Parse(address), null) };

    private static ServiceConfig Service(string name, IReadOnlyList<string> sites, params CheckDefinition[] checks) =>
        new(name, [IPAddress.Parse("203.0.113.80")], [], sites) { Checks = checks };

    private static ClusterConfig Config(params ServiceConfig[] services) =>
        new("test.yaml", [], [Site("alpha", "10.77.0.11"), Site("bravo", "10.77.0.12")], services);

    [Fact]
    public void Services_that_check_the_same_thing_on_a_site_share_one_stream()
    {
        var plan = ProbePlan.For(Config(
            Service("web", ["alpha", "bravo"], Healthz),
            Service("shop", ["alpha"], Healthz with { Name = "ingress", Rise = 5, Fall = 2 })));

        Assert.Equal(2, plan.Streams.Count);
        var alpha = plan.Streams.Single(s => s.Site == "alpha");
        Assert.Equal(IPAddress.Parse("10.77.0.11"), alpha.Address);
        Assert.Equal([new ProbeSubscriber("web", "http"), new ProbeSubscriber("shop", "ingress")], alpha.Subscribers);
        var bravo = plan.Streams.Single(s => s.Site == "bravo");
        Assert.Equal([new ProbeSubscriber("web", "http")], bravo.Subscribers);
    }

    [Fact]
    public void Checks_that_differ_in_what_they_send_or_expect_or_when_get_their_own_streams()
    {
        var plan = ProbePlan.For(Config(
            Service("a", ["alpha"], Healthz),
            Service("b", ["alpha"], Healthz with { Port = 8080 }),
            Service("c", ["alpha"], Healthz with { Path = "/" }),
            Service("d", ["alpha"], Healthz with { Host = "shop.example.net" }),
            Service("e", ["alpha"], Healthz with { BodyContains = "ok" }),
            Service("f", ["alpha"], Healthz with { Interval = TimeSpan.FromSeconds(2) }),
            Service("g", ["alpha"], Healthz with { FastInterval = TimeSpan.FromMilliseconds(200) }),
            Service("h", ["alpha"], Healthz with { Attempts = 3 }),
            Service("i", ["alpha"], new CheckDefinition("tcp", CheckKind.Tcp) { Port = 80 })));

        Assert.Equal(9, plan.Streams.Count);
        Assert.All(plan.Streams, s => Assert.Single(s.Subscribers));
    }

    [Fact]
    public void An_http_check_without_a_port_shares_with_one_on_port_80()
    {
        var plan = ProbePlan.For(Config(Service("a", ["alpha"], Healthz), Service("b", ["alpha"], Healthz with { Port = null })));

        Assert.Equal(2, Assert.Single(plan.Streams).Subscribers.Count);
    }

    [Fact]
    public void A_sites_probe_rate_grows_with_its_distinct_checks_not_with_its_services()
    {
        var services = Enumerable.Range(0, 1000).Select(i => Service($"svc{i}", ["alpha"], Healthz)).ToArray();
        var plan = ProbePlan.For(Config(services));

        var stream = Assert.Single(plan.Streams);
        Assert.Equal(1000, stream.Subscribers.Count);
        // One default-timed check: a probe a second while alpha passes; at most two attempts every 100 ms while in question.
        Assert.Equal(1, plan.ProbesPerSecond("alpha"), 6);
        Assert.Equal(20, plan.AttemptsPerSecond("alpha"), 6);
        Assert.Equal(0, plan.AttemptsPerSecond("bravo"));
    }

    [Fact]
    public void A_result_is_published_once_and_counted_by_every_subscriber_under_its_own_check_name()
    {
        var plan = ProbePlan.For(Config(
            Service("web", ["alpha"], Healthz),
            Service("shop", ["alpha"], Healthz with { Name = "ingress" })));
        var stream = Assert.Single(plan.Streams);
        var result = CheckResult.Failed("alpha", stream.Check.Name, DateTimeOffset.UnixEpoch, "connection refused");

        var perService = new ProbeStreamResult(stream, result).PerService().ToList();

        Assert.Equal(["web", "shop"], perService.Select(r => r.Service));
        Assert.Equal(["http", "ingress"], perService.Select(r => r.Result.Check));
        Assert.All(perService, r => Assert.Equal(("alpha", false, "connection refused"), (r.Result.Site, r.Result.Success, r.Result.Detail)));
    }

    [Fact]
    public void Services_without_checks_or_sites_make_no_streams()
    {
        var plan = ProbePlan.For(Config(Service("quiet", ["alpha", "bravo"]), Service("web", ["bravo"], Healthz)));

        Assert.Equal("bravo", Assert.Single(plan.Streams).Site);
    }
}
