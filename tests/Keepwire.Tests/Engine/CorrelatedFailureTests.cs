using Keepwire.Decisions;
using Keepwire.Engine;

namespace Keepwire.Tests.Engine;

/// <summary>
/// Every site failing in one step points at the hub (or its uplink) first: those failures wait for the next round.
/// A site that answers then clears the suspicion and the failures are dropped; a round that fails too confirms them.
/// </summary>
public sealed class CorrelatedFailureTests
{
    private readonly EngineHarness _h = new();

    [Fact]
    public void Every_site_failing_at_once_is_held_and_says_so()
    {
        var engine = Healthy();

        var step = engine.Step(_h.Results(false, "a", "b", "c"));

        Assert.Empty(step.Switched);
        var note = Assert.Single(step.Notes);
        Assert.Equal(HubNoteKind.HubSuspected, note.Kind);
        Assert.Equal(new[] { "a", "b", "c" }, note.Sites);
        Assert.Equal("every site failed at once (a, b, c): suspecting the hub or its uplink first; not counted unless the next round fails too", note.Summary);
        Assert.All(engine.Services, d => Assert.All(d.Health.Sites, s => Assert.Equal(HealthState.Healthy, d.Health.Evaluate(s, _h.Now).State)));
    }

    [Fact]
    public void A_site_answering_in_the_next_round_drops_the_held_failures()
    {
        var engine = Healthy();
        engine.Step(_h.Results(false, "a", "b", "c"));
        _h.Clock.Advance(TimeSpan.FromMilliseconds(100));

        var step = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "b", success: true), _h.Probe("web", "a", success: false)] });

        Assert.Empty(step.Switched);
        var note = Assert.Single(step.Notes);
        Assert.Equal(HubNoteKind.SuspicionCleared, note.Kind);
        Assert.Equal("b answered in the next round: the failures of every site at once (a, b, c) were the hub's, not counted", note.Summary);
        // Only the next round's own failure of a counts: one of two.
        var check = Assert.Single(engine.Find("web")!.Health.Evaluate("a", _h.Now).Checks);
        Assert.Equal(HealthState.Healthy, check.State);
        Assert.Equal(1, check.ConsecutiveFailures);
    }

    [Fact]
    public void A_next_round_that_fails_too_confirms_and_counts_them()
    {
        var engine = Healthy();
        engine.Step(_h.Results(false, "a", "b", "c"));
        _h.Clock.Advance(TimeSpan.FromMilliseconds(100));

        var step = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", success: false)] });

        Assert.Equal(HubNoteKind.SuspicionConfirmed, Assert.Single(step.Notes).Kind);
        Assert.All(engine.Services, d => Assert.All(d.Health.Sites, s => Assert.Equal(HealthState.Unhealthy, d.Health.Evaluate(s, _h.Now).State)));
    }

    [Fact]
    public void Some_sites_failing_together_count_at_once()
    {
        var engine = Healthy();

        var step = engine.Step(_h.Results(false, "a", "b"));

        Assert.Empty(step.Notes);
        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
    }

    [Fact]
    public void A_step_with_a_success_is_not_correlated()
    {
        var engine = Healthy();

        var step = engine.Step(new HubEvidence { Probes = [.. _h.Results(false, "a", "b", "c").Probes, _h.Probe("mail", "c", success: true)] });

        Assert.Empty(step.Notes);
        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
    }

    [Fact]
    public void With_one_probed_site_there_is_nothing_to_correlate()
    {
        var h = new EngineHarness(adjust: c => c with { Services = [c.Services[0] with { Sites = ["a"] }] });
        var engine = h.Engine();
        engine.Step(h.Results(true, "a"));

        var step = engine.Step(h.Results(false, "a"));

        Assert.Empty(step.Notes);
        Assert.Equal(HealthState.Unhealthy, engine.Find("web")!.Health.Evaluate("a", h.Now).State);
    }

    private HubEngine Healthy()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        _h.Clock.Advance(TimeSpan.FromMilliseconds(100));
        return engine;
    }
}
