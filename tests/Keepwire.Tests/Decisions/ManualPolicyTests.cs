using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions;

/// <summary>Policy "manual" (cold standby): health is shown but only pin, drain and undrain move the service.</summary>
public sealed class ManualPolicyTests
{
    private static DeciderHarness Manual() => new(servicePolicy: ServicePolicy.Manual);

    /// <summary>Started, "a" (highest priority) serving, then ten quiet seconds.</summary>
    private static DeciderHarness ServingA()
    {
        var h = Manual();
        Assert.Equal("a", h.Decide().ServingSite);
        h.Advance(10_000);
        return h;
    }

    private static void AssertOperatorSwitch(ServiceDecision decision, string from, string to, DecisionReason reason, long epoch)
    {
        Assert.Equal(to, decision.ServingSite);
        Assert.Equal(from, decision.PreviousSite);
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(epoch, decision.Epoch);
        Assert.True(decision.Planned);
        Assert.False(decision.Automatic);
        Assert.Null(decision.RecheckAt);
    }

    [Fact]
    public void The_constructor_takes_the_policy_from_the_service()
    {
        Assert.Equal(ServicePolicy.Manual, Manual().Decider.ServicePolicy);
        Assert.Equal(ServicePolicy.Failover, new DeciderHarness().Decider.ServicePolicy);
    }

    [Fact]
    public void At_startup_the_highest_priority_site_serves_at_once_without_any_results()
    {
        var h = Manual();
        var decision = h.Decide();
        Assert.Equal("a", decision.ServingSite);
        Assert.Equal(DecisionReason.Selected, decision.Reason);
        Assert.Equal(1, decision.Epoch);
        Assert.True(decision.Planned);
        Assert.False(decision.Automatic);
        Assert.Null(decision.RecheckAt);
        Assert.Equal("a is the highest-priority site (priority 300; manual policy: health does not move it)", decision.Detail);
        Assert.Equal(HealthState.Unknown, h.Decider.Health.Evaluate("a", h.Now).State);
        var started = Assert.Single(h.Decider.History);
        Assert.Equal((null, "a", 1L), (started.From, started.To, started.Epoch));
    }

    [Fact]
    public void At_startup_a_known_dead_best_site_still_serves_but_a_drained_one_does_not()
    {
        var dead = Manual();
        dead.MakeUnhealthy("a");
        dead.MakeHealthy("b", "c");
        Assert.Equal("a", dead.Decide().ServingSite);

        var drained = Manual();
        drained.Decider.Drain("a");
        Assert.Equal("b", drained.Decide().ServingSite);
    }

    [Fact]
    public void Health_never_moves_the_service_but_is_still_tracked_and_named()
    {
        var h = ServingA();
        h.MakeHealthy("b", "c");
        h.MakeUnhealthy("a");
        for (var i = 0; i < 10; i++)
        {
            h.Advance(1000);
            h.Fail("a");
            var decision = h.Decide();
            Assert.Equal("a", decision.ServingSite);
            Assert.Equal(1, decision.Epoch);
            Assert.Null(decision.RecheckAt);
        }

        var health = h.Decider.Health.Evaluate("a", h.Now);
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.False(health.IsEligible);
        Assert.Contains("a is unhealthy (http check failed", h.Decider.Current.Note);
        Assert.Contains("keepwire failover web --to SITE", h.Decider.Current.Note);
        Assert.Single(h.Decider.History);
    }

    [Fact]
    public void A_stale_handshake_asks_for_no_recheck_because_time_alone_moves_nothing()
    {
        var h = Manual();
        h.Decider.Health.RecordHandshake("a", h.Now, h.Now);
        var decision = h.Decide();
        Assert.Null(decision.RecheckAt);
        h.Advance(200_000);
        Assert.Equal(HealthState.Unhealthy, h.Decider.Health.Evaluate("a", h.Now).State);
        Assert.Equal("a", h.Decide().ServingSite);
    }

    [Fact]
    public void A_pin_moves_at_once_planned_even_to_an_unhealthy_site()
    {
        var h = ServingA();
        h.MakeHealthy("a", "b");
        h.MakeUnhealthy("c");
        h.Decider.Pin("c");
        var decision = h.Decide();
        AssertOperatorSwitch(decision, "a", "c", DecisionReason.Pinned, 2);
        Assert.Equal(h.Now, decision.Since);
        Assert.StartsWith("operator pinned web to c (c is unhealthy: http check failed 2×", decision.Detail);
        var last = h.Decider.History[^1];
        Assert.Equal(("a", "c", DecisionReason.Pinned, true, false, 2L), (last.From, last.To, last.Reason, last.Planned, last.Automatic, last.Epoch));

        h.Advance(60_000);
        h.Fail("c");
        Assert.Equal("c", h.Decide().ServingSite); // the operator decided; checks do not undo it
    }

    [Fact]
    public void A_second_pin_moves_again_at_once_with_no_hold_down()
    {
        var h = ServingA();
        h.Decider.Pin("b");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Decider.Pin("c");
        AssertOperatorSwitch(h.Decide(), "b", "c", DecisionReason.Pinned, 3);
    }

    [Fact]
    public void Unpin_leaves_the_service_where_it_is_and_a_better_site_never_preempts()
    {
        var h = ServingA();
        h.Decider.Pin("c");
        h.Decide();
        h.Decider.Unpin();
        h.MakeHealthy("a", "b", "c");
        h.Advance(60_000);
        var decision = h.Decide();
        Assert.Equal("c", decision.ServingSite);
        Assert.Equal(2, decision.Epoch);
    }

    [Fact]
    public void Draining_the_serving_site_moves_to_the_highest_priority_site_not_drained_whatever_its_health()
    {
        var h = ServingA();
        h.MakeUnhealthy("b");
        h.MakeHealthy("c");
        h.Decider.Drain("a");
        var decision = h.Decide();
        AssertOperatorSwitch(decision, "a", "b", DecisionReason.Drained, 2);
        Assert.StartsWith("a is drained; b is the highest-priority site that is not drained (priority 200) (b is unhealthy", decision.Detail);
    }

    [Fact]
    public void Draining_a_site_that_does_not_serve_moves_nothing()
    {
        var h = ServingA();
        h.Decider.Drain("b");
        var decision = h.Decide();
        Assert.Equal("a", decision.ServingSite);
        Assert.Equal(1, decision.Epoch);
    }

    [Fact]
    public void Draining_the_serving_site_when_every_other_site_is_drained_keeps_it()
    {
        var h = ServingA();
        h.Decider.Drain("b");
        h.Decider.Drain("c");
        h.Decider.Drain("a");
        var decision = h.Decide();
        Assert.Equal("a", decision.ServingSite);
        Assert.Equal(1, decision.Epoch);
        Assert.Equal("a is drained but every other site is drained too; keeping a", decision.Note);

        // The drain still stands: once another site is undrained, the service leaves a.
        h.Decider.Undrain("c");
        AssertOperatorSwitch(h.Decide(), "a", "c", DecisionReason.Drained, 2);
    }

    [Fact]
    public void Undraining_a_better_site_does_not_move_the_service_back()
    {
        var h = ServingA();
        h.MakeHealthy("a", "b", "c");
        h.Decider.Drain("a");
        Assert.Equal("b", h.Decide().ServingSite);
        h.Advance(5000);
        h.Decider.Undrain("a");
        h.Advance(60_000);
        var decision = h.Decide();
        Assert.Equal("b", decision.ServingSite);
        Assert.Equal(2, decision.Epoch);
    }

    [Fact]
    public void A_drained_pinned_site_is_left_and_returned_to_on_undrain()
    {
        var h = ServingA();
        h.Decider.Pin("b");
        Assert.Equal("b", h.Decide().ServingSite);

        h.Decider.Drain("b");
        AssertOperatorSwitch(h.Decide(), "b", "a", DecisionReason.Drained, 3); // the pin is ignored while b is drained

        h.Advance(1000);
        h.Decider.Undrain("b");
        var back = h.Decide();
        AssertOperatorSwitch(back, "a", "b", DecisionReason.Pinned, 4);
        Assert.StartsWith("pinned site b is no longer drained", back.Detail);
    }

    [Fact]
    public void Pinning_a_drained_site_waits_for_its_undrain()
    {
        var h = ServingA();
        h.Decider.Drain("c");
        h.Decider.Pin("c");
        Assert.Equal("a", h.Decide().ServingSite);
        h.Decider.Undrain("c");
        AssertOperatorSwitch(h.Decide(), "a", "c", DecisionReason.Pinned, 2);
    }

    [Fact]
    public void With_every_site_drained_at_startup_nothing_serves_until_one_is_undrained()
    {
        var h = Manual();
        foreach (var site in new[] { "a", "b", "c" })
            h.Decider.Drain(site);
        var none = h.Decide();
        Assert.Null(none.ServingSite);
        Assert.Equal("every site is drained; undrain or pin one to serve", none.Note);
        h.Advance(10_000);
        Assert.Null(h.Decide().ServingSite);

        h.Decider.Undrain("c");
        var decision = h.Decide();
        Assert.Equal("c", decision.ServingSite);
        Assert.Equal(DecisionReason.Selected, decision.Reason);
        Assert.Equal(1, decision.Epoch);
    }

    [Fact]
    public void A_restored_site_keeps_serving_whatever_its_priority_and_health()
    {
        var h = Manual();
        h.Decider.Restore("c", 7, DeciderHarness.Start.AddHours(-1));
        h.MakeUnhealthy("c");
        h.MakeHealthy("a", "b");
        var decision = h.Decide();
        Assert.Equal("c", decision.ServingSite);
        Assert.Equal(DecisionReason.Restored, decision.Reason);
        Assert.Equal(7, decision.Epoch);
        Assert.Null(decision.RecheckAt);

        h.Decider.Pin("a");
        AssertOperatorSwitch(h.Decide(), "c", "a", DecisionReason.Pinned, 8);
    }

    [Fact]
    public void A_restored_site_that_left_the_service_hands_over_planned()
    {
        var h = Manual();
        h.Decider.Restore("gone", 3, DeciderHarness.Start);
        AssertOperatorSwitch(h.Decide(), "gone", "a", DecisionReason.Reconfigured, 4);
    }

    [Fact]
    public void Restoring_after_the_first_decision_is_refused()
    {
        var h = Manual();
        h.Decide();
        Assert.Throws<InvalidOperationException>(() => h.Decider.Restore("b", 5, h.Now));
    }
}
