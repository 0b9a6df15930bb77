using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions;

public sealed class HealthTrackerTests
{
    private static readonly DateTimeOffset T0 = DeciderHarness.Start;
    // The rule tests feed results by hand and let time pass: checks this slow keep their verdict through them
    // (staleness has tests of its own, with a fast check).
    private static readonly CheckDefinition Http = new("http", CheckKind.Http) { Rise = 2, Fall = 2, Interval = DeciderHarness.SlowInterval };
    private static readonly CheckDefinition Tcp = new("tcp", CheckKind.Tcp) { Port = 22, Rise = 1, Fall = 1, Interval = DeciderHarness.SlowInterval };
    private static readonly CheckDefinition Fast = new("fast", CheckKind.Http) { Rise = 1, Fall = 1 };

    private static HealthTracker Tracker(params CheckDefinition[] checks) => new(["a", "b"], checks.Length == 0 ? [Http] : checks);

    private static CheckResult Ok(string check, double ms = 0) => CheckResult.Passed("a", check, T0.AddMilliseconds(ms), "status 200");

    private static CheckResult Bad(string check, double ms = 0, string detail = "connection refused") => CheckResult.Failed("a", check, T0.AddMilliseconds(ms), detail);

    [Fact]
    public void The_revision_moves_when_eligibility_can_change_and_not_for_results_that_confirm_it()
    {
        var tracker = Tracker();
        var start = tracker.Revision;
        tracker.Record(Ok("http", 0));
        Assert.Equal(start, tracker.Revision); // 1 of 2 successes: still unknown
        tracker.Record(Ok("http", 1));
        var healthy = tracker.Revision;
        Assert.True(healthy > start);
        tracker.Record(Ok("http", 2));
        tracker.Record(Bad("http", 3));
        Assert.Equal(healthy, tracker.Revision); // confirmations and one failure change nothing
        tracker.Record(Bad("http", 4));
        Assert.True(tracker.Revision > healthy);

        var before = tracker.Revision;
        tracker.RecordHandshake("a", T0, T0);
        Assert.True(tracker.Revision > before);
        before = tracker.Revision;
        tracker.RecordHandshake("a", T0, T0.AddSeconds(5)); // the same handshake read again
        Assert.Equal(before, tracker.Revision);
        tracker.RecordAgentReport(new SiteAgentReport("a", true, "ok", T0));
        tracker.RecordAgentReport(new SiteAgentReport("a", true, "ok", T0.AddSeconds(2)));
        Assert.Equal(before + 1, tracker.Revision);
        tracker.SetMaintenance("a", true, T0);
        Assert.Equal(before + 2, tracker.Revision);
    }

    [Fact]
    public void A_site_starts_unknown()
    {
        var health = Tracker().Evaluate("a", T0);
        Assert.Equal(HealthState.Unknown, health.State);
        Assert.False(health.IsEligible);
        Assert.Contains("no result yet", health.Reason);
    }

    [Fact]
    public void Rise_consecutive_successes_make_it_healthy()
    {
        var tracker = Tracker();
        tracker.Record(Ok("http", 0));
        Assert.Equal(HealthState.Unknown, tracker.Evaluate("a", T0).State);
        tracker.Record(Ok("http", 200));
        var health = tracker.Evaluate("a", T0.AddMilliseconds(200));
        Assert.Equal(HealthState.Healthy, health.State);
        Assert.Equal(T0.AddMilliseconds(200), health.EligibleSince);
    }

    [Fact]
    public void Fall_consecutive_failures_make_it_unhealthy_and_the_reason_counts_them()
    {
        var tracker = Tracker();
        tracker.Record(Ok("http", 0));
        tracker.Record(Ok("http", 1));
        tracker.Record(Bad("http", 2));
        Assert.Equal(HealthState.Healthy, tracker.Evaluate("a", T0).State); // one failure changes nothing
        tracker.Record(Bad("http", 3));
        tracker.Record(Bad("http", 4, "timeout after 250 ms"));
        var health = tracker.Evaluate("a", T0.AddMilliseconds(4));
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.Equal("http check failed 3×: timeout after 250 ms", health.Reason);
        Assert.Null(health.EligibleSince);
    }

    [Fact]
    public void Recovery_needs_rise_successes_in_a_row()
    {
        var tracker = Tracker();
        tracker.Record(Bad("http", 0));
        tracker.Record(Bad("http", 1));
        tracker.Record(Ok("http", 2));
        tracker.Record(Bad("http", 3));
        tracker.Record(Ok("http", 4));
        Assert.Equal(HealthState.Unhealthy, tracker.Evaluate("a", T0).State);
        tracker.Record(Ok("http", 5));
        Assert.Equal(HealthState.Healthy, tracker.Evaluate("a", T0).State);
    }

    [Fact]
    public void Every_check_must_be_healthy()
    {
        var tracker = Tracker(Http, Tcp);
        tracker.Record(Ok("http", 0));
        tracker.Record(Ok("http", 1));
        Assert.Equal(HealthState.Unknown, tracker.Evaluate("a", T0).State);
        tracker.Record(Bad("tcp", 2));
        var health = tracker.Evaluate("a", T0);
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.StartsWith("tcp check failed 1×", health.Reason);
        tracker.Record(Ok("tcp", 3));
        Assert.Equal(HealthState.Healthy, tracker.Evaluate("a", T0).State);
    }

    [Fact]
    public void A_drained_site_is_healthy_but_not_eligible_and_its_eligibility_restarts_when_undrained()
    {
        var tracker = Tracker();
        tracker.Record(Ok("http", 0));
        tracker.Record(Ok("http", 1));
        tracker.SetMaintenance("a", true, T0.AddSeconds(1));
        var drained = tracker.Evaluate("a", T0.AddSeconds(1));
        Assert.Equal(HealthState.Healthy, drained.State);
        Assert.True(drained.InMaintenance);
        Assert.False(drained.IsEligible);
        Assert.StartsWith("drained", drained.Reason);

        tracker.SetMaintenance("a", false, T0.AddSeconds(5));
        var back = tracker.Evaluate("a", T0.AddSeconds(6));
        Assert.True(back.IsEligible);
        Assert.Equal(T0.AddSeconds(5), back.EligibleSince);
    }

    [Fact]
    public void A_stale_wireguard_handshake_makes_the_site_unhealthy_until_a_fresh_one()
    {
        var tracker = new HealthTracker(["a"], [], new HealthTrackerOptions(TimeSpan.FromSeconds(180)));
        Assert.True(tracker.Evaluate("a", T0).IsEligible); // no checks, no signals: nothing says otherwise

        tracker.RecordHandshake("a", T0, T0);
        Assert.True(tracker.Evaluate("a", T0.AddSeconds(180)).IsEligible);
        Assert.Equal(T0.AddSeconds(180) + TimeSpan.FromTicks(1), tracker.NextChangeAfter(T0.AddSeconds(10)));
        var stale = tracker.Evaluate("a", T0.AddSeconds(181));
        Assert.Equal(HealthState.Unhealthy, stale.State);
        Assert.Equal("wireguard handshake is 181 s old (stale after 180 s)", stale.Reason);

        tracker.RecordHandshake("a", T0.AddSeconds(200), T0.AddSeconds(201));
        var fresh = tracker.Evaluate("a", T0.AddSeconds(202));
        Assert.True(fresh.IsEligible);
        Assert.Equal(T0.AddSeconds(201), fresh.EligibleSince);
    }

    [Fact]
    public void A_site_that_never_completed_a_handshake_is_unhealthy()
    {
        var tracker = new HealthTracker(["a"], []);
        tracker.RecordHandshake("a", null, T0);
        var health = tracker.Evaluate("a", T0);
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.Equal("wireguard has never completed a handshake", health.Reason);
    }

    [Fact]
    public void The_agent_report_overrides_passing_checks_until_it_reports_healthy_again()
    {
        var tracker = Tracker();
        tracker.Record(Ok("http", 0));
        tracker.Record(Ok("http", 1));
        tracker.RecordAgentReport(new SiteAgentReport("a", false, "disk full", T0.AddSeconds(1)));
        var sick = tracker.Evaluate("a", T0.AddSeconds(1));
        Assert.Equal(HealthState.Unhealthy, sick.State);
        Assert.Equal("agent reports unhealthy: disk full", sick.Reason);

        tracker.RecordAgentReport(new SiteAgentReport("a", true, "ok", T0.AddSeconds(3)));
        var well = tracker.Evaluate("a", T0.AddSeconds(4));
        Assert.True(well.IsEligible);
        Assert.Equal(T0.AddSeconds(3), well.EligibleSince);
    }

    [Fact]
    public void A_check_without_results_goes_stale_counts_as_unhealthy_and_says_so_until_a_result_arrives()
    {
        var tracker = Tracker(Fast);
        tracker.Record(CheckResult.Passed("a", "fast", T0, "status 200"));
        var staleAt = T0 + Fast.StaleAfter;
        Assert.Equal(CheckDefinition.MinimumStaleAfter, Fast.StaleAfter);
        Assert.Equal(staleAt + TimeSpan.FromTicks(1), tracker.NextChangeAfter(T0));
        Assert.True(tracker.Evaluate("a", staleAt).IsEligible);

        var stale = tracker.Evaluate("a", staleAt.AddSeconds(1));
        Assert.Equal(HealthState.Unhealthy, stale.State);
        Assert.Equal("fast check is stale: no result for 6 s (are its probes running?)", stale.Reason);
        Assert.True(Assert.Single(stale.Checks).Stale);
        Assert.Equal(HealthState.Healthy, stale.Checks[0].State); // the last verdict, shown beside the staleness

        // The same verdict as before it went stale, yet the site is eligible again: deciders must hear of it.
        var whileStale = tracker.Revision;
        tracker.Record(CheckResult.Passed("a", "fast", staleAt.AddSeconds(2), "status 200"));
        Assert.True(tracker.Evaluate("a", staleAt.AddSeconds(2)).IsEligible);
        Assert.True(tracker.Revision > whileStale);
    }

    [Fact]
    public void A_check_that_never_reports_goes_stale_from_when_observation_began()
    {
        var tracker = new HealthTracker(["a"], [Fast], since: T0);
        Assert.Equal(HealthState.Unknown, tracker.Evaluate("a", T0.AddSeconds(1)).State);

        var silent = tracker.Evaluate("a", T0.AddSeconds(10));
        Assert.Equal(HealthState.Unhealthy, silent.State);
        Assert.Contains("no result in the 10 s since probing began", silent.Reason);
    }

    [Fact]
    public void Results_for_unknown_sites_or_checks_are_ignored()
    {
        var tracker = Tracker();
        Assert.False(tracker.Record(CheckResult.Passed("zz", "http", T0, "status 200")));
        Assert.False(tracker.Record(CheckResult.Passed("a", "nope", T0, "status 200")));
        Assert.True(tracker.Record(Ok("http")));
    }
}
