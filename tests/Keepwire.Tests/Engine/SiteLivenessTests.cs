using System.Net;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Decisions;

namespace Keepwire.Tests.Engine;

/// <summary>
/// Site liveness in the engine: a lost site takes every service it serves out in one step, answering again alone
/// brings nothing back before the checks pass, and a loss the hub stalled through is not counted.
/// </summary>
public sealed class SiteLivenessTests
{
    private static readonly IPAddress ApiVip = IPAddress.Parse("198.51.100.30");
    private static readonly TimeSpan Window = LivenessSettings.Default.DetectionTime;

    // web (a, b), mail (b, c) and api (a, c): a serves web and api.
    private readonly EngineHarness _h = new(adjust: config => config with
    {
        Services = [.. config.Services, new ServiceConfig("api", [ApiVip], [new PortRule(TransportProtocol.Tcp, 8443, 8443, null)], ["a", "c"]) { Checks = [DeciderHarness.Check] }],
    });

    [Fact]
    public void A_lost_site_takes_every_service_it_serves_out_in_one_step()
    {
        var engine = Serving();

        var step = engine.Step(new HubEvidence { Liveness = [Lost("a")] });

        Assert.Equal([("api", "c"), ("web", "b")], step.Switched.Select(d => (d.Service, d.ServingSite!)).OrderBy(s => s.Item1));
        Assert.NotNull(step.DataPlane);
        Assert.Equal(["api", "web"], step.Flushes.OfType<FlowFlush.ServiceLeftSite>().Where(f => f.Site == "a").Select(f => f.Service).Order());
        // The evidence that moved it, said once (not once more per check the loss took down).
        Assert.StartsWith("a: liveness lost for 150 ms (3 of 3 missed); ", engine.Find("web")!.Current.Detail);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(engine.Find("web")!.Current.Detail, "liveness lost"));
        Assert.Equal("b", engine.Find("mail")!.Current.ServingSite);
        var note = Assert.Single(step.Notes);
        Assert.Equal(HubNoteKind.LivenessLost, note.Kind);
        Assert.Equal("a: liveness lost for 150 ms (3 of 3 missed); the 2 service(s) it may serve count it down", note.Summary);
        Assert.Equal(["a"], engine.LostSites);
        // Its checks must pass rise times to bring it back: they go to the fast pace now, not after their next failure.
        Assert.Equal(["a"], step.ProbeNow);
        Assert.Empty(engine.Step(new HubEvidence { Liveness = [Lost("a")] }).ProbeNow);
    }

    [Fact]
    public void Liveness_answering_again_alone_does_not_bring_a_site_back_before_its_checks_pass()
    {
        var engine = Serving();
        engine.Step(new HubEvidence { Liveness = [Lost("a")] });
        _h.Clock.Advance(TimeSpan.FromSeconds(1));

        var back = engine.Step(new HubEvidence { Liveness = [Alive("a")] });

        Assert.Empty(back.Switched);
        Assert.Equal(HubNoteKind.LivenessRegained, Assert.Single(back.Notes).Kind);
        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
        Assert.Empty(engine.LostSites);

        engine.Step(_h.Results(true, "a"));
        Assert.Equal(HealthState.Healthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
    }

    [Fact]
    public void A_site_whose_checks_pass_through_the_loss_stays_out_while_liveness_is_lost()
    {
        var engine = Serving();
        engine.Step(new HubEvidence { Liveness = [Lost("a")] });

        engine.Step(_h.Results(true, "a"));

        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
        Assert.Equal("b", engine.Find("web")!.Current.ServingSite);
    }

    [Fact]
    public void A_loss_the_hub_stalled_through_is_inconclusive_and_the_repeated_loss_decides()
    {
        var engine = Serving();
        var stall = new HubStall(_h.Now - TimeSpan.FromMilliseconds(100), _h.Now);

        var stalled = engine.Step(new HubEvidence { Stalls = [stall], Liveness = [Lost("a")] });

        Assert.Empty(stalled.Switched);
        var note = Assert.Single(stalled.Notes);
        Assert.Equal(HubNoteKind.LivenessInconclusive, note.Kind);
        Assert.Equal("a: liveness lost for 150 ms (3 of 3 missed), but the hub stalled 100 ms during it; not counted", note.Summary);
        Assert.Equal(1, engine.InconclusiveLiveness);

        _h.Clock.Advance(Window);
        var counted = engine.Step(new HubEvidence { Liveness = [Lost("a")] });

        Assert.Equal(2, counted.Switched.Count);
    }

    [Fact]
    public void A_short_stall_is_no_excuse()
    {
        var engine = Serving();
        var stall = new HubStall(_h.Now - TimeSpan.FromMilliseconds(20), _h.Now);

        var step = engine.Step(new HubEvidence { Stalls = [stall], Liveness = [Lost("a")] });

        Assert.Equal(2, step.Switched.Count);
    }

    [Fact]
    public void A_loss_still_counts_after_a_reload_until_the_site_answers()
    {
        var engine = Serving();
        engine.Step(new HubEvidence { Liveness = [Lost("a")] });

        engine.Reconfigure(_h.Config, _h.Self);
        engine.Step(_h.Results(true, "a"));

        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
        engine.Step(new HubEvidence { Liveness = [Alive("a")] });
        engine.Step(_h.Results(true, "a"));
        Assert.Equal(HealthState.Healthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
    }

    [Fact]
    public void Liveness_of_a_site_the_config_does_not_know_is_ignored()
    {
        var engine = Serving();

        var step = engine.Step(new HubEvidence { Liveness = [Lost("zulu"), Alive("a")] });

        Assert.Empty(step.Switched);
        Assert.Empty(step.Notes);
    }

    private HubEngine Serving()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        Assert.Equal("a", engine.Find("api")!.Current.ServingSite);
        return engine;
    }

    private LivenessObservation Lost(string site) => new(site, _h.Now, false, "liveness lost for 150 ms (3 of 3 missed)", Window);

    private LivenessObservation Alive(string site) => new(site, _h.Now, true, "liveness answering again (rtt 0.4 ms)", Window);
}
