using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions;

public sealed class ServiceDeciderTests
{
    private static readonly FailoverPolicyOptions NonRevertive = FailoverPolicyOptions.Default with { Preempt = false };

    /// <summary>All three sites healthy and "a" (highest priority) chosen.</summary>
    private static DeciderHarness ServingA(FailoverPolicyOptions? policy = null)
    {
        var h = new DeciderHarness(policy);
        h.MakeHealthy("a", "b", "c");
        Assert.Equal("a", h.Decide().ServingSite);
        return h;
    }

    [Fact]
    public void Results_that_only_confirm_what_is_known_leave_the_decision_as_it_was_until_news_or_its_recheck()
    {
        var h = ServingA();
        h.MakeUnhealthy("a");
        var failedOver = h.Decide();
        Assert.Equal("b", failedOver.ServingSite);
        var settled = h.Decide();

        h.Pass("b", "c");
        h.Fail("a");
        Assert.Same(settled, h.Decide()); // nothing that can move the service: the last decision stands

        h.MakeHealthy("a");
        var waiting = h.Decide(); // news: a is back, preempting after the delay
        Assert.Equal("b", waiting.ServingSite);
        Assert.NotNull(waiting.RecheckAt);
        h.Pass("a", "b", "c");
        Assert.Same(waiting, h.Decide());

        h.Clock.SetUtcNow(waiting.RecheckAt!.Value); // its recheck: decided again without news
        Assert.Equal("a", h.Decide().ServingSite);

        h.Decider.Pin("c"); // an operator action is news too
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void At_startup_it_waits_for_a_better_site_that_has_no_results_yet()
    {
        var h = new DeciderHarness();
        h.MakeHealthy("b");
        var waiting = h.Decide();
        Assert.Null(waiting.ServingSite);
        Assert.Equal(DecisionReason.Starting, waiting.Reason);
        Assert.Equal(DeciderHarness.Start + FailoverPolicyOptions.Default.StartupGrace, waiting.RecheckAt);

        h.Advance(400);
        h.MakeHealthy("a");
        var chosen = h.Decide();
        Assert.Equal("a", chosen.ServingSite);
        Assert.Equal(DecisionReason.Selected, chosen.Reason);
        Assert.Equal(1, chosen.Epoch);
    }

    [Fact]
    public void At_startup_it_chooses_at_once_when_the_best_site_is_healthy_and_skips_sites_known_down()
    {
        var h = new DeciderHarness();
        h.Pass("a"); // a answered once, then failed: it is down, not coming up
        h.MakeUnhealthy("a");
        h.MakeHealthy("b");
        Assert.Equal("b", h.Decide().ServingSite); // c's results could not change the choice
    }

    [Fact]
    public void At_startup_it_waits_for_a_better_site_whose_checks_have_not_passed_once()
    {
        // The lab under load: a's first probes timed out while its agent was still coming up, a counted as down, and
        // the hub chose b, then preempted to a. A fresh hub now waits for a (within the grace) until it answers.
        var h = new DeciderHarness();
        h.MakeUnhealthy("a", "timeout after 250 ms");
        h.MakeHealthy("b");
        Assert.Null(h.Decide().ServingSite);

        h.Advance(4000);
        h.MakeHealthy("a");
        var first = h.Decide();

        Assert.Equal(("a", 1L), (first.ServingSite, first.Epoch));
        Assert.Single(h.Decider.History);
    }

    [Fact]
    public void At_startup_it_waits_for_a_better_site_whose_tunnel_has_not_come_up_yet()
    {
        // The demo's first minute: charlie's tunnel came up first, alpha's a moment later. Failing probes to a
        // site that has never completed a handshake say nothing about its service, so the hub waits for it.
        var h = new DeciderHarness();
        foreach (var site in new[] { "a", "b", "c" })
            h.Decider.Health.RecordHandshake(site, null, h.Now);
        h.MakeUnhealthy("a", "timeout after 250 ms");
        h.Decider.Health.RecordHandshake("c", h.Now, h.Now);
        h.MakeHealthy("c");
        Assert.Null(h.Decide().ServingSite);

        h.Advance(800);
        h.Decider.Health.RecordHandshake("a", h.Now, h.Now);
        h.MakeHealthy("a");
        var first = h.Decide();

        Assert.Equal(("a", 1L), (first.ServingSite, first.Epoch));
        Assert.Single(h.Decider.History);
    }

    [Fact]
    public void At_startup_a_site_down_with_its_tunnel_up_is_skipped_and_the_wait_for_a_silent_one_is_bounded()
    {
        var h = new DeciderHarness();
        foreach (var site in new[] { "a", "b" })
            h.Decider.Health.RecordHandshake(site, h.Now, h.Now);
        h.Decider.Health.RecordHandshake("c", null, h.Now);
        h.Pass("a");
        h.MakeUnhealthy("a");
        h.MakeHealthy("b");
        Assert.Equal("b", h.Decide().ServingSite); // a's tunnel is up and it answered once: its service is down; c cannot beat b

        var waiting = new DeciderHarness();
        waiting.Decider.Health.RecordHandshake("a", null, waiting.Now);
        waiting.Decider.Health.RecordHandshake("b", waiting.Now, waiting.Now);
        waiting.MakeHealthy("b");
        Assert.Null(waiting.Decide().ServingSite);
        waiting.Advance(FailoverPolicyOptions.Default.StartupGrace.TotalMilliseconds);
        Assert.Equal("b", waiting.Decide().ServingSite);
    }

    [Fact]
    public void A_serving_site_whose_probes_stop_reporting_fails_over_once_its_verdict_is_stale()
    {
        var fast = DeciderHarness.Check with { Interval = CheckDefinition.DefaultInterval };
        var h = new DeciderHarness(check: fast);
        h.MakeHealthy("a", "b");
        Assert.Equal("a", h.Decide().ServingSite);

        for (var i = 0; i < 10; i++)
        {
            h.Advance(1000);
            h.Pass("b"); // b's probes keep reporting, a's have stopped
        }
        var decision = h.Decide();

        Assert.Equal("b", decision.ServingSite);
        Assert.Equal(DecisionReason.Failover, decision.Reason);
        Assert.Contains("http check is stale", decision.Detail);
    }

    [Fact]
    public void After_the_startup_grace_it_chooses_among_what_is_known()
    {
        var h = new DeciderHarness();
        h.MakeHealthy("c");
        Assert.Null(h.Decide().ServingSite);
        h.Advance(FailoverPolicyOptions.Default.StartupGrace.TotalMilliseconds);
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void Failover_is_immediate_unplanned_and_explained()
    {
        var h = ServingA();
        h.Advance(10_000);
        h.Fail("a");
        Assert.Equal("a", h.Decide().ServingSite); // one failure is not fall
        h.Fail("a");
        var decision = h.Decide();
        Assert.Equal("b", decision.ServingSite);
        Assert.Equal(DecisionReason.Failover, decision.Reason);
        Assert.False(decision.Planned);
        Assert.True(decision.Automatic);
        Assert.Equal("a", decision.PreviousSite);
        Assert.Equal(2, decision.Epoch);
        Assert.Equal(h.Now, decision.Since);
        var last = h.Decider.History[^1];
        Assert.Equal(("a", "b"), (last.From, last.To));
        Assert.StartsWith("a: http check failed 2×: connection refused; b is the highest-priority eligible site", last.Detail);
    }

    [Fact]
    public void Preempt_returns_to_the_better_site_after_it_has_been_eligible_for_the_delay()
    {
        var h = ServingA();
        h.Advance(10_000);
        h.MakeUnhealthy("a");
        Assert.Equal("b", h.Decide().ServingSite);

        h.Advance(1000);
        h.MakeHealthy("a");
        var waiting = h.Decide();
        Assert.Equal("b", waiting.ServingSite);
        Assert.Equal(h.Now.AddSeconds(5), waiting.RecheckAt);
        Assert.Contains("preempting to a", waiting.Note);

        h.Advance(4999);
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(1);
        var back = h.Decide();
        Assert.Equal("a", back.ServingSite);
        Assert.Equal(DecisionReason.Preempted, back.Reason);
        Assert.True(back.Planned);
        Assert.Equal(3, back.Epoch);
    }

    [Fact]
    public void A_flapping_better_site_never_preempts()
    {
        var h = ServingA();
        h.Advance(10_000);
        h.MakeUnhealthy("a");
        h.Decide();
        for (var i = 0; i < 10; i++)
        {
            h.MakeHealthy("a");
            h.Advance(3000);
            Assert.Equal("b", h.Decide().ServingSite);
            h.MakeUnhealthy("a");
            Assert.Equal("b", h.Decide().ServingSite);
        }
    }

    [Fact]
    public void Non_revertive_stays_on_a_healthy_site()
    {
        var h = ServingA(NonRevertive);
        h.Advance(10_000);
        h.MakeUnhealthy("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.MakeHealthy("a");
        h.Advance(60_000);
        var decision = h.Decide();
        Assert.Equal("b", decision.ServingSite);
        Assert.Null(decision.Note);

        h.MakeUnhealthy("b");
        Assert.Equal("a", h.Decide().ServingSite); // leaves only when b fails
    }

    [Fact]
    public void The_first_switch_is_not_held_down_but_a_second_within_the_window_waits_for_its_end()
    {
        var h = ServingA();
        h.Advance(500);
        h.MakeUnhealthy("a");
        Assert.Equal("b", h.Decide().ServingSite); // first switch: immediate even right after startup
        var firstSwitch = h.Now;

        h.Advance(1000);
        h.MakeUnhealthy("b");
        var held = h.Decide();
        Assert.Equal("b", held.ServingSite);
        Assert.Contains("held down", held.Note);
        Assert.Equal(firstSwitch.AddSeconds(3), held.RecheckAt);

        h.Advance(1999);
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(1);
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void After_a_quiet_hold_down_window_the_next_switch_is_immediate()
    {
        var h = ServingA();
        h.MakeUnhealthy("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(3000);
        h.MakeUnhealthy("b");
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void A_pin_moves_at_once_planned_and_holds_against_priority()
    {
        var h = ServingA();
        h.Decider.Pin("c");
        var pinned = h.Decide();
        Assert.Equal("c", pinned.ServingSite);
        Assert.Equal(DecisionReason.Pinned, pinned.Reason);
        Assert.True(pinned.Planned);
        Assert.False(pinned.Automatic);
        h.Advance(60_000);
        Assert.Equal("c", h.Decide().ServingSite);
        Assert.Equal("c", h.Decider.PinnedSite);
    }

    [Fact]
    public void An_unhealthy_pinned_site_fails_over_and_comes_back_after_the_preempt_delay_even_non_revertive()
    {
        var h = ServingA(NonRevertive);
        h.Decider.Pin("c");
        h.Decide();
        h.Advance(10_000);
        h.MakeUnhealthy("c");
        var failover = h.Decide();
        Assert.Equal("a", failover.ServingSite);
        Assert.Equal(DecisionReason.Failover, failover.Reason);

        h.MakeHealthy("c");
        Assert.Equal("a", h.Decide().ServingSite);
        h.Advance(5000);
        var back = h.Decide();
        Assert.Equal("c", back.ServingSite);
        Assert.Equal(DecisionReason.Pinned, back.Reason);
    }

    [Fact]
    public void Pinning_a_down_site_waits_until_it_has_been_healthy_for_the_preempt_delay()
    {
        var h = ServingA();
        h.MakeUnhealthy("c");
        h.Decider.Pin("c");
        Assert.Equal("a", h.Decide().ServingSite);
        h.MakeHealthy("c");
        h.Advance(4000);
        Assert.Equal("a", h.Decide().ServingSite);
        h.Advance(1000);
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void Unpin_hands_back_to_the_policy()
    {
        var h = ServingA();
        h.Decider.Pin("b");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(10_000);
        h.Decider.Unpin();
        var back = h.Decide();
        Assert.Equal("a", back.ServingSite); // a has been eligible far longer than the preempt delay
        Assert.Equal(DecisionReason.Preempted, back.Reason);
    }

    [Fact]
    public void Pinning_a_site_outside_the_service_says_which_sites_there_are()
    {
        var h = new DeciderHarness();
        var error = Assert.Throws<ArgumentException>(() => h.Decider.Pin("z"));
        Assert.Contains("site z does not serve web (its sites: a, b, c)", error.Message);
    }

    [Fact]
    public void Draining_the_serving_site_is_a_planned_move_that_ignores_the_hold_down()
    {
        var h = ServingA();
        h.MakeUnhealthy("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(100);
        h.Decider.Drain("b");
        var drained = h.Decide();
        Assert.Equal("c", drained.ServingSite);
        Assert.Equal(DecisionReason.Drained, drained.Reason);
        Assert.True(drained.Planned);
        Assert.False(drained.Automatic);
    }

    [Fact]
    public void An_undrained_site_is_preempted_back_to_after_the_delay()
    {
        var h = ServingA();
        h.Decider.Drain("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(60_000);
        h.Decider.Undrain("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(5000);
        Assert.Equal("a", h.Decide().ServingSite);
    }

    [Fact]
    public void Draining_the_only_eligible_site_keeps_it_with_keep_last()
    {
        var h = new DeciderHarness(sites: [("a", 1), ("b", 2)]);
        h.MakeHealthy("a");
        h.Pass("b");
        h.MakeUnhealthy("b");
        Assert.Equal("a", h.Decide().ServingSite);
        h.Decider.Drain("a");
        var decision = h.Decide();
        Assert.Equal("a", decision.ServingSite);
        Assert.Equal("a is drained but no other site is eligible; keeping a", decision.Note);
    }

    [Fact]
    public void Keep_last_keeps_a_dead_site_when_nothing_else_is_eligible()
    {
        var h = ServingA();
        h.MakeUnhealthy("b");
        h.MakeUnhealthy("c");
        h.MakeUnhealthy("a");
        var decision = h.Decide();
        Assert.Equal("a", decision.ServingSite);
        Assert.Contains("no other site is eligible; keeping a", decision.Note);

        h.MakeHealthy("c");
        Assert.Equal("c", h.Decide().ServingSite);
    }

    [Fact]
    public void Last_resort_takes_over_when_nothing_is_eligible_and_hands_back_on_recovery()
    {
        var h = new DeciderHarness(FailoverPolicyOptions.Default with { NoHealthySite = NoHealthySiteBehavior.LastResort("sorry") }, [("a", 2), ("b", 1)], ["sorry"]);
        h.MakeHealthy("a", "b");
        Assert.Equal("a", h.Decide().ServingSite);
        h.MakeUnhealthy("b");
        h.MakeUnhealthy("a");
        var sorry = h.Decide();
        Assert.Equal("sorry", sorry.ServingSite);
        Assert.Equal(DecisionReason.LastResort, sorry.Reason);
        Assert.False(sorry.Planned);

        h.Advance(3000);
        h.MakeHealthy("b");
        var recovered = h.Decide();
        Assert.Equal("b", recovered.ServingSite);
        Assert.Equal(DecisionReason.Recovered, recovered.Reason);
    }

    [Fact]
    public void With_no_site_ever_eligible_last_resort_serves_after_the_grace()
    {
        var h = new DeciderHarness(FailoverPolicyOptions.Default with { NoHealthySite = NoHealthySiteBehavior.LastResort("sorry") }, [("a", 2)], ["sorry"]);
        h.MakeUnhealthy("a");
        Assert.Null(h.Decide().ServingSite); // a has not answered once: it may be coming up

        h.Advance(FailoverPolicyOptions.Default.StartupGrace.TotalMilliseconds);
        Assert.Equal("sorry", h.Decide().ServingSite);
    }

    [Fact]
    public void A_restored_decision_continues_without_a_flip()
    {
        var h = new DeciderHarness();
        h.Decider.Restore(new ServiceDecision("web", "b", DecisionReason.Failover, "", DeciderHarness.Start.AddHours(-1), 7, "a", false, true, null, DeciderHarness.Start.AddHours(-1), null));
        var restored = h.Decide();
        Assert.Equal("b", restored.ServingSite);
        Assert.Equal(DecisionReason.Restored, restored.Reason);
        Assert.Equal(7, restored.Epoch);

        h.MakeHealthy("a", "b"); // a is better, but preempting waits its delay
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(5000);
        var preempted = h.Decide();
        Assert.Equal("a", preempted.ServingSite);
        Assert.Equal(8, preempted.Epoch);
    }

    [Fact]
    public void A_restored_site_without_results_is_kept_through_the_grace_but_not_once_known_down()
    {
        var h = new DeciderHarness();
        h.Decider.Restore("b", 3, DeciderHarness.Start.AddMinutes(-5));
        h.MakeHealthy("c");
        Assert.Equal("b", h.Decide().ServingSite);
        h.MakeUnhealthy("b");
        var failover = h.Decide();
        Assert.Equal("c", failover.ServingSite);
        Assert.Equal(4, failover.Epoch);
    }

    [Fact]
    public void Restoring_after_a_decision_is_refused()
    {
        var h = ServingA();
        Assert.Throws<InvalidOperationException>(() => h.Decider.Restore("b", 1, h.Now));
    }

    [Fact]
    public void Site_signals_fail_over_like_checks()
    {
        var h = ServingA();
        h.Decider.Health.RecordAgentReport(new SiteAgentReport("a", false, "disk full", h.Now));
        var decision = h.Decide();
        Assert.Equal("b", decision.ServingSite);
        Assert.Contains("agent reports unhealthy: disk full", decision.Detail);
    }

    [Fact]
    public void A_handshake_turning_stale_is_announced_through_recheck_at()
    {
        var h = ServingA();
        foreach (var site in new[] { "a", "b", "c" })
            h.Decider.Health.RecordHandshake(site, h.Now, h.Now);
        var decision = h.Decide();
        Assert.Equal(h.Now + HealthTrackerOptions.Default.HandshakeStaleAfter + TimeSpan.FromTicks(1), decision.RecheckAt);
        h.Decider.Health.RecordHandshake("b", h.Now.AddSeconds(100), h.Now.AddSeconds(100));
        h.Decider.Health.RecordHandshake("c", h.Now.AddSeconds(100), h.Now.AddSeconds(100));
        h.Clock.SetUtcNow(decision.RecheckAt!.Value);
        var stale = h.Decide();
        Assert.Equal("b", stale.ServingSite);
        Assert.Contains("wireguard handshake", stale.Detail);
    }

    [Fact]
    public void History_keeps_the_last_switches_only()
    {
        var h = ServingA(FailoverPolicyOptions.Default with { HoldDown = TimeSpan.Zero, PreemptDelay = TimeSpan.Zero });
        for (var i = 0; i < ServiceDecider.HistoryLimit; i++)
        {
            h.MakeUnhealthy("a");
            h.Decide();
            h.Advance(1);
            h.MakeHealthy("a");
            h.Decide();
        }

        Assert.Equal(ServiceDecider.HistoryLimit, h.Decider.History.Count);
        Assert.Equal(2 * ServiceDecider.HistoryLimit + 1, h.Decider.Current.Epoch);
        Assert.Equal(h.Decider.Current.Epoch, h.Decider.History[^1].Epoch);
    }

    [Fact]
    public void Default_check_probes_a_healthy_site_once_a_second_and_judges_a_failing_one_at_the_fast_pace()
    {
        var check = new CheckDefinition("http", CheckKind.Http);
        // A probe within 1 s fails within 250 ms; then one at once and two 100 ms apart, the last failing within 250 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(1700), check.DetectionBound);
        Assert.Equal(TimeSpan.FromMilliseconds(550), check.RecoveryBound);
        Assert.Equal(TimeSpan.FromMilliseconds(12750), check.StaleAfter);
        // An interval as short as the fast one keeps the even pace, and its bound: fall × interval + timeout.
        Assert.Equal(TimeSpan.FromMilliseconds(650), (check with { Interval = TimeSpan.FromMilliseconds(100) }).DetectionBound);
        Assert.Equal(TimeSpan.FromMilliseconds(50), (check with { Interval = TimeSpan.FromMilliseconds(50) }).FastInterval);
        Assert.Empty(check.Validate());
        Assert.Contains("check t: a tcp check needs a port", new CheckDefinition("t", CheckKind.Tcp).Validate());
    }
}
