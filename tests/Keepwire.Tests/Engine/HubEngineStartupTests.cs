using Keepwire.Engine;

namespace Keepwire.Tests.Engine;

/// <summary>
/// A fresh single hub (issue 8 item 6): sites dial in one by one after it starts, and a site whose tunnel has
/// not come up yet is not known to be down. Each service's first choice waits, up to startup_grace, for the
/// sites that could beat the ones already answering, so the hub makes one decision per service, not two.
/// </summary>
public sealed class HubEngineStartupTests
{
    private readonly EngineHarness _h = new();

    [Fact]
    public void A_fresh_hub_waits_for_a_better_sites_tunnel_and_makes_one_decision_per_service()
    {
        var engine = _h.Engine();
        var startedAt = _h.Now;
        Assert.Empty(engine.Step(new HubEvidence { WireGuard = _h.Handshakes() }).Switched); // nobody has dialled in yet

        // c dials in first and answers; b's tunnel is not up, so its probes time out: mail (b, c) waits for b.
        _h.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var cFirst = engine.Step(new HubEvidence
        {
            WireGuard = _h.Handshakes("c"),
            Probes = [.. _h.Results(false, "b").Probes, .. _h.Results(true, "c").Probes],
        });
        Assert.Empty(cFirst.Switched);
        Assert.True(cFirst.NextWakeUp <= startedAt + Keepwire.Model.FailoverPolicyOptions.Default.StartupGrace);

        // b comes up and answers: mail goes to b, its only decision. web (a, b) still waits for a, which could win.
        _h.Clock.Advance(TimeSpan.FromMilliseconds(500));
        var bUp = engine.Step(_h.Results(true, "b") with { WireGuard = _h.Handshakes("b", "c") });
        Assert.Equal([("mail", null, "b")], bUp.Switched.Select(d => (d.Service, d.PreviousSite, d.ServingSite)));

        // a never dials in: the wait is bounded by startup_grace, then web goes to b.
        _h.Clock.SetUtcNow(startedAt + Keepwire.Model.FailoverPolicyOptions.Default.StartupGrace);
        var graceOver = engine.Step(HubEvidence.None);
        Assert.Equal([("web", null, "b")], graceOver.Switched.Select(d => (d.Service, d.PreviousSite, d.ServingSite)));

        Assert.Equal(["mail", "web"], engine.History().Select(e => e.Service).Order());
    }

    [Fact]
    public void A_fresh_hub_waits_for_a_better_site_whose_first_probes_fail_while_it_comes_up()
    {
        // The lab's hubs under load: a's tunnel is up, but its first probes time out (its agent is still setting up the
        // return path) until it is "known down"; b answers at once. Before, the hub chose b, then preempted to a.
        var engine = _h.Engine();
        var startedAt = _h.Now;
        var up = _h.Handshakes("a", "b", "c");
        Assert.Empty(engine.Step(_h.Results(false, "a") with { WireGuard = up }).Switched);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var bFirst = engine.Step(_h.Results(true, "b", "c") with { WireGuard = up });
        Assert.Equal([("mail", null, "b")], bFirst.Switched.Select(d => (d.Service, d.PreviousSite, d.ServingSite))); // mail (b, c): b is its best

        _h.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(engine.Step(HubEvidence.None).Switched); // web (a, b) still waits for a
        var aUp = engine.Step(_h.Results(true, "a") with { WireGuard = up });
        Assert.Equal([("web", null, "a")], aUp.Switched.Select(d => (d.Service, d.PreviousSite, d.ServingSite)));
        Assert.True(_h.Now < startedAt + Keepwire.Model.FailoverPolicyOptions.Default.StartupGrace);
        Assert.Equal(["mail", "web"], engine.History().Select(e => e.Service).Order());
    }

    [Fact]
    public void A_fresh_hub_whose_best_site_never_passes_chooses_the_next_when_the_grace_ends()
    {
        var engine = _h.Engine();
        var startedAt = _h.Now;
        var up = _h.Handshakes("a", "b", "c");
        engine.Step(_h.Results(false, "a") with { WireGuard = up });
        Assert.DoesNotContain(engine.Step(_h.Results(true, "b") with { WireGuard = up }).Switched, d => d.Service == "web");

        _h.Clock.SetUtcNow(startedAt + Keepwire.Model.FailoverPolicyOptions.Default.StartupGrace);
        var graceOver = engine.Step(HubEvidence.None);

        Assert.Equal([("web", null, "b")], graceOver.Switched.Select(d => (d.Service, d.PreviousSite, d.ServingSite)));
    }
}
