using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Tests.Decisions;

namespace Keepwire.Tests.Engine;

/// <summary>
/// A probe that timed out while the hub itself stalled is inconclusive: it counts neither for nor against its site,
/// and the engine says why. Only a timeout, only a stall of at least a quarter of the timeout (and 10 ms), wherever
/// the stall evidence came from: the loop-lag monitor, in this step or an earlier one, or the probe's own late timer.
/// </summary>
public sealed class HubStallTests
{
    private static readonly TimeSpan Timeout = DeciderHarness.Check.Timeout;

    private readonly EngineHarness _h = new();

    [Fact]
    public void Timeouts_while_the_hub_stalled_do_not_fail_the_site()
    {
        var engine = ServingWebFromA();
        var stall = new HubStall(_h.Now - TimeSpan.FromMilliseconds(400), _h.Now + TimeSpan.FromMilliseconds(20));

        var step = engine.Step(new HubEvidence { Stalls = [stall], Probes = [.. TimeoutsOfA(DeciderHarness.Check.Fall)] });

        Assert.Empty(step.Switched);
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        Assert.Equal(HealthState.Healthy, engine.Find("web")!.Health.Evaluate("a", _h.Now).State);
        var note = Assert.Single(step.Notes);
        Assert.Equal(HubNoteKind.ProbeInconclusive, note.Kind);
        Assert.Equal(new[] { "a" }, note.Sites);
        Assert.Equal("2 probes of a inconclusive: the hub stalled up to 250 ms during them (http check: timeout after 250 ms); not counted", note.Summary);
        Assert.Equal(2, engine.InconclusiveProbes);
        Assert.Equal(step.Notes, engine.Notes());
    }

    [Fact]
    public void The_same_timeouts_without_a_stall_fail_the_site_over()
    {
        var engine = ServingWebFromA();

        var step = engine.Step(new HubEvidence { Probes = [.. TimeoutsOfA(DeciderHarness.Check.Fall)] });

        Assert.Equal("b", Assert.Single(step.Switched, d => d.Service == "web").ServingSite);
        Assert.Empty(step.Notes);
        Assert.Equal(0, engine.InconclusiveProbes);
    }

    [Fact]
    public void A_refusal_during_a_stall_still_counts()
    {
        var engine = ServingWebFromA();
        var stall = new HubStall(_h.Now - TimeSpan.FromSeconds(1), _h.Now);

        var refusals = Enumerable.Range(0, DeciderHarness.Check.Fall).Select(_ => Timed(CheckResult.Failed("a", "http", _h.Now, "connection refused")));
        var step = engine.Step(new HubEvidence { Stalls = [stall], Probes = [.. refusals] });

        Assert.Equal("b", Assert.Single(step.Switched, d => d.Service == "web").ServingSite);
        Assert.Empty(step.Notes);
    }

    [Fact]
    public void A_stall_below_a_quarter_of_the_timeout_is_not_an_excuse()
    {
        var engine = ServingWebFromA();
        var shortStall = StallRule.Threshold(Timeout) - TimeSpan.FromMilliseconds(1);
        var stall = new HubStall(_h.Now - TimeSpan.FromMilliseconds(100), _h.Now - TimeSpan.FromMilliseconds(100) + shortStall);

        var step = engine.Step(new HubEvidence { Stalls = [stall], Probes = [.. TimeoutsOfA(DeciderHarness.Check.Fall)] });

        Assert.Equal(TimeSpan.FromMilliseconds(62.5), StallRule.Threshold(Timeout));
        Assert.Equal("b", Assert.Single(step.Switched, d => d.Service == "web").ServingSite);
    }

    [Fact]
    public void A_stall_reported_in_an_earlier_step_still_excuses_a_probe_that_ran_through_it()
    {
        var engine = ServingWebFromA();
        engine.Step(new HubEvidence { Stalls = [new HubStall(_h.Now - TimeSpan.FromMilliseconds(200), _h.Now)] });
        _h.Clock.Advance(TimeSpan.FromMilliseconds(100));

        var step = engine.Step(new HubEvidence { Probes = [.. TimeoutsOfA(DeciderHarness.Check.Fall)] });

        Assert.Empty(step.Switched);
        Assert.Equal(HubNoteKind.ProbeInconclusive, Assert.Single(step.Notes).Kind);
    }

    [Fact]
    public void A_timeout_that_fired_late_is_a_stall_by_itself()
    {
        var engine = ServingWebFromA();
        var late = TimeSpan.FromMilliseconds(300);
        var started = _h.Now - Timeout - late;
        var probes = Enumerable.Range(0, DeciderHarness.Check.Fall).Select(_ => TimedOutOfA(started)).ToList();

        var step = engine.Step(new HubEvidence { Probes = probes });

        Assert.Empty(step.Switched);
        Assert.Equal(new HubStall(started + Timeout, _h.Now), StallRule.LateTimeout(probes[0]));
        Assert.Contains("the hub stalled up to 300 ms", Assert.Single(step.Notes).Summary);
    }

    [Fact]
    public void A_timeout_that_fired_on_time_is_no_stall()
    {
        var onTime = TimedOutOfA(_h.Now - Timeout - TimeSpan.FromMilliseconds(5));

        Assert.Null(StallRule.LateTimeout(onTime));
        Assert.Null(StallRule.LateTimeout(ProbeObservation.For("web", onTime.Result)));
    }

    [Fact]
    public void Results_without_timing_always_count()
    {
        var engine = ServingWebFromA();
        var stall = new HubStall(_h.Now - TimeSpan.FromSeconds(1), _h.Now);
        var untimed = Enumerable.Range(0, DeciderHarness.Check.Fall)
            .Select(_ => ProbeObservation.For("web", new CheckResult("a", "http", _h.Now, false, "timeout after 250 ms") { TimedOut = true }));

        var step = engine.Step(new HubEvidence { Stalls = [stall], Probes = [.. untimed] });

        Assert.Equal("b", Assert.Single(step.Switched, d => d.Service == "web").ServingSite);
    }

    [Fact]
    public void Stalls_merge_and_are_forgotten_after_two_minutes()
    {
        var stalls = new HubStalls();
        var t = DeciderHarness.Start;
        stalls.Add(new HubStall(t, t.AddMilliseconds(100)));
        stalls.Add(new HubStall(t.AddMilliseconds(50), t.AddMilliseconds(150)));
        stalls.Add(new HubStall(t.AddMilliseconds(50), t.AddMilliseconds(120)));
        stalls.Add(new HubStall(t.AddMilliseconds(300), t.AddMilliseconds(400)));
        stalls.Add(new HubStall(t.AddMilliseconds(500), t.AddMilliseconds(500)));

        Assert.Equal(2, stalls.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(250), stalls.Within(t, t.AddSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(100), stalls.Within(t.AddMilliseconds(100), t.AddMilliseconds(350)));

        stalls.Forget(t.AddMilliseconds(200) + HubStalls.Kept);
        Assert.Equal(1, stalls.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(100), stalls.Within(t, t.AddSeconds(1)));
    }

    [Fact]
    public void Stalls_kept_are_bounded()
    {
        var stalls = new HubStalls();
        var t = DeciderHarness.Start;
        for (var i = 0; i < HubStalls.MaxKept + 10; i++)
            stalls.Add(new HubStall(t.AddMilliseconds(i * 100), t.AddMilliseconds((i * 100) + 20)));

        Assert.Equal(HubStalls.MaxKept, stalls.Count);
        Assert.Equal(TimeSpan.Zero, stalls.Within(t, t.AddMilliseconds(100)));
    }

    /// <summary>web on a, with a and b healthy for both services.</summary>
    private HubEngine ServingWebFromA()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        Assert.Equal("a", engine.Find("web")!.Current.ServingSite);
        return engine;
    }

    private IEnumerable<ProbeObservation> TimeoutsOfA(int count) =>
        Enumerable.Range(0, count).Select(_ => TimedOutOfA(_h.Now - Timeout));

    private ProbeObservation TimedOutOfA(DateTimeOffset started) =>
        ProbeObservation.For("web", new CheckResult("a", "http", _h.Now, false, "timeout after 250 ms") { TimedOut = true }) with { Timing = new ProbeTiming(started, Timeout) };

    private ProbeObservation Timed(CheckResult result) =>
        ProbeObservation.For("web", result) with { Timing = new ProbeTiming(_h.Now - TimeSpan.FromMilliseconds(1), Timeout) };
}
