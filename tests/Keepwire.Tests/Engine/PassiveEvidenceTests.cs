using System.Net;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Engine;

/// <summary>
/// Passive evidence in the engine: a serving site that refused a forwarded client is taken out by its next failing
/// probe, not after <c>fall</c> failures in a row; refusals alone, however many, move nothing; and a refusal only
/// counts against the services the site serves now on the refusing port.
/// </summary>
public sealed class PassiveEvidenceTests
{
    private static readonly IPAddress SiteA = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress SiteB = IPAddress.Parse("10.77.0.3");

    // web (a, b) and mail (b, c), both on tcp/443, fall 2.
    private readonly EngineHarness _h = new();

    [Fact]
    public void A_refusal_then_one_failing_probe_moves_the_service_in_that_step()
    {
        var engine = Serving();
        _h.Clock.Advance(TimeSpan.FromMilliseconds(10));
        var refused = Refused(SiteA, 443);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(20));

        var step = engine.Step(new HubEvidence { Refusals = [refused], Probes = [_h.Probe("web", "a", success: false)] });

        var switched = Assert.Single(step.Switched);
        Assert.Equal(("web", "b"), (switched.Service, switched.ServingSite));
        Assert.Contains("connection refused, confirming a client refused on tcp/443", switched.Detail);
        Assert.Equal(["web"], step.Flushes.OfType<FlowFlush.ServiceLeftSite>().Select(f => f.Service));
        var note = Assert.Single(step.Notes, n => n.Kind == HubNoteKind.Refused);
        Assert.Equal("a refused a client on tcp/443 (web); its next probe decides", note.Summary);
        Assert.Equal(1, engine.Refusals);
    }

    [Fact]
    public void The_failing_probe_may_come_in_a_later_step_and_is_asked_for_at_once()
    {
        var engine = Serving();
        var refused = engine.Step(new HubEvidence { Refusals = [Refused(SiteA, 443)] });
        Assert.Empty(refused.Switched);
        Assert.Equal(["a"], refused.ProbeNow);
        // Once suspected, more refusals ask for nothing more: the site's probes already run at the fast pace.
        Assert.Empty(engine.Step(new HubEvidence { Refusals = [Refused(SiteA, 443)] }).ProbeNow);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(80));

        var step = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: false)] });

        Assert.Equal("b", Assert.Single(step.Switched).ServingSite);
    }

    [Fact]
    public void Refusals_alone_move_nothing_however_many()
    {
        var engine = Serving();

        for (var i = 0; i < 50; i++)
        {
            var step = engine.Step(new HubEvidence { Refusals = [Refused(SiteA, 443), Refused(SiteA, 443)] });
            Assert.Empty(step.Switched);
            _h.Clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        Assert.Equal(HealthState.Healthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
        // One note for the suspicion, not one per refusal.
        Assert.Single(engine.Notes(), n => n.Kind == HubNoteKind.Refused);
    }

    [Fact]
    public void A_passing_probe_clears_the_refusal_and_a_later_failure_counts_as_one_of_fall()
    {
        var engine = Serving();
        engine.Step(new HubEvidence { Refusals = [Refused(SiteA, 443)] });
        _h.Clock.Advance(TimeSpan.FromMilliseconds(50));
        engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: true)] });
        _h.Clock.Advance(TimeSpan.FromMilliseconds(50));

        var step = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: false)] });

        Assert.Empty(step.Switched);
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
    }

    [Fact]
    public void A_probe_that_failed_before_the_refusal_does_not_confirm_it()
    {
        var engine = Serving();
        var early = _h.Probe("web", "a", success: false);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(30));

        var step = engine.Step(new HubEvidence { Refusals = [Refused(SiteA, 443)], Probes = [early] });

        Assert.Empty(step.Switched);
        // The suspicion stays for the next probe, which decides on it.
        _h.Clock.Advance(TimeSpan.FromMilliseconds(30));
        var next = Assert.Single(engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: false)] }).Switched);
        Assert.Equal("b", next.ServingSite);
        Assert.Contains("confirming a client refused on tcp/443", next.Detail);
    }

    [Fact]
    public void A_refusal_counts_only_against_services_the_site_serves_now_on_that_port()
    {
        var engine = Serving();

        // b serves mail but not web; a refusal on another port suspects nothing.
        var step = engine.Step(new HubEvidence
        {
            Refusals = [Refused(SiteB, 443), Refused(SiteA, 8080), Refused(IPAddress.Parse("10.77.0.99"), 443), new RefusedFlow(SiteA, TransportProtocol.Udp, 443, _h.Now)],
            Probes = [_h.Probe("web", "b", success: false)],
        });
        Assert.Empty(step.Switched);
        Assert.Equal(["b"], step.Notes.Where(n => n.Kind == HubNoteKind.Refused).SelectMany(n => n.Sites));
        _h.Clock.Advance(TimeSpan.FromMilliseconds(20));

        var next = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: false), _h.Probe("mail", "b", success: false)] });

        Assert.Equal([("mail", "c")], next.Switched.Select(d => (d.Service, d.ServingSite!)));
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
    }

    [Fact]
    public void A_routed_service_is_refused_from_its_own_address_and_that_counts_against_its_serving_site()
    {
        var routed = IPNetwork.Parse("198.51.100.64/32");
        var harness = new EngineHarness(adjust: config => config with
        {
            Services = [config.Services[0] with { Vips = [], Mode = ServiceMode.Routed, RoutedPrefixes = [routed] }, config.Services[1]],
        });
        var engine = harness.Engine();
        engine.Step(harness.Results(true, "a", "b", "c"));
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(10));

        var step = engine.Step(new HubEvidence
        {
            // A refusal from an address of no service, and one on a port web does not allow, suspect nothing.
            Refusals = [new(routed.BaseAddress, TransportProtocol.Tcp, 443, harness.Now), new(IPAddress.Parse("198.51.100.65"), TransportProtocol.Tcp, 443, harness.Now), new(routed.BaseAddress, TransportProtocol.Tcp, 80, harness.Now)],
            Probes = [harness.Probe("web", "a", success: false)],
        });

        Assert.Equal(("web", "b"), (Assert.Single(step.Switched).Service, step.Switched[0].ServingSite));
        Assert.Contains("confirming a client refused on tcp/443", step.Switched[0].Detail);
    }

    private HubEngine Serving()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        Assert.Equal("b", engine.Find("mail")!.Current.ServingSite);
        return engine;
    }

    private RefusedFlow Refused(IPAddress site, int port) => new(site, TransportProtocol.Tcp, port, _h.Now);
}
