using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Tests.Engine;

/// <summary>hub2 of a pair against hub1's messages: role, adoption of decisions and intent, epochs, verdict and messages.</summary>
public sealed class HubEnginePairTests : IDisposable
{
    private readonly EngineHarness _h = new(pair: true);
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("keepwire-pair-").FullName;

    [Fact]
    public void The_follower_adopts_sites_epochs_pins_and_drains_and_says_what_changed()
    {
        var engine = _h.Engine();
        var intent = OperatorIntent.None.WithDrain("a", true).WithPin("mail", "c");

        var step = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, intent, 1, ("web", "b", 7), ("mail", "c", 3))], Vips = EngineHarness.Holding(false) });

        Assert.Equal(PairRole.Follow, step.Pair!.Role.Role);
        Assert.Equal(["b", "c"], step.Switched.Select(d => d.ServingSite).Order());
        Assert.NotNull(step.Journal);
        Assert.Same(intent, step.Intent);
        Assert.Empty(step.Pair.Mismatched);
        Assert.True(engine.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Equal("c", engine.Find("mail")!.PinnedSite);
        Assert.Equal([("mail", "c", 3L), ("web", "b", 7L)], engine.Records().Select(r => (r.Service, r.ServingSite, r.Epoch)).Order());
        Assert.True(step.Pair.Track.Healthy);

        var again = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, intent, 2, ("web", "b", 7), ("mail", "c", 3))], Vips = EngineHarness.Holding(false) });
        Assert.Empty(again.Switched);
        Assert.Null(again.Journal);
        Assert.Null(again.Intent);
    }

    [Fact]
    public void The_leaders_undrain_and_unpin_are_adopted_too()
    {
        var engine = _h.Engine(OperatorIntent.None.WithDrain("a", true).WithPin("web", "b"));

        var step = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, null, 1, ("web", "b", 2))], Vips = EngineHarness.Holding(false) });

        Assert.True(step.Intent!.SameAs(OperatorIntent.None));
        Assert.False(engine.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Null(engine.Find("web")!.PinnedSite);
    }

    [Fact]
    public void What_this_hub_cannot_follow_is_reported_and_left_alone()
    {
        var engine = _h.Engine();

        var step = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, null, 1, ("web", "c", 4), ("ftp", "a", 1), ("mail", "b", 2))], Vips = EngineHarness.Holding(false) });

        Assert.Equal(["ftp", "web"], step.Pair!.Mismatched.Order());
        Assert.Null(engine.Find("web")!.Current.ServingSite);
        Assert.Equal("b", engine.Find("mail")!.Current.ServingSite);
    }

    [Fact]
    public void A_restarted_follower_continues_with_what_it_adopted()
    {
        var store = new StateStore(_stateDirectory);
        var journal = new DecisionJournal(_stateDirectory);
        var engine = _h.Engine(store.LoadIntent(), journal.Load());
        var intent = OperatorIntent.None.WithDrain("a", true).WithPin("mail", "c");
        var step = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, intent, 1, ("web", "b", 7), ("mail", "c", 3))], Vips = EngineHarness.Holding(false) });
        // What the daemon does with a step: save exactly what it says.
        store.SaveIntent(step.Intent!);
        journal.Save(step.Journal!);

        var restarted = _h.Engine(store.LoadIntent(), journal.Load());

        Assert.Equal([("mail", "c", 3L), ("web", "b", 7L)], restarted.Records().Select(r => (r.Service, r.ServingSite, r.Epoch)).Order());
        Assert.True(restarted.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Equal("c", restarted.Find("mail")!.PinnedSite);
    }

    [Fact]
    public void When_the_active_hub_dies_the_standby_decides_and_keeps_its_sites_and_epochs()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        // hub1 had moved web to b (a was drained then undrained, say): not what hub2 would choose on its own.
        var following = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, null, 1, ("web", "b", 7), ("mail", "b", 3))], Vips = EngineHarness.Holding(false) });
        Assert.Equal(PairRole.Follow, following.Pair!.Role.Role);

        _h.Clock.Advance(TimeSpan.FromMilliseconds(400));
        var takeover = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true), RefreshDataPlane = true });

        Assert.Equal(PairRole.Decide, takeover.Pair!.Role.Role);
        Assert.Empty(takeover.Switched);
        Assert.Equal([("mail", "b", 3L), ("web", "b", 7L)], engine.Records().Select(r => (r.Service, r.ServingSite, r.Epoch)).Order());
    }

    /// <summary>
    /// The lab case of a site failing during a hub failover: hub2 follows hub1 (serving a), a's web server
    /// dies while hub1's link is cut, hub2's own probes see it, and hub2 takes the VIPs. Deciding from the
    /// adopted state, it leaves the dead site on its first step: no startup grace for a site it knows is
    /// down, and no hold-down when the leader's last automatic switch is long past.
    /// </summary>
    [Fact]
    public void A_standby_taking_the_vips_leaves_a_dead_adopted_site_on_its_first_step()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        var following = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, null, 1, ("web", "a", 3), ("mail", "b", 1))], Vips = EngineHarness.Holding(false) });
        Assert.Equal(PairRole.Follow, following.Pair!.Role.Role);

        _h.Clock.Advance(TimeSpan.FromMilliseconds(100));
        var stillFollowing = engine.Step(_h.Results(false, "a") with { Vips = EngineHarness.Holding(false) });
        Assert.Equal((PairRole.Follow, "a"), (stillFollowing.Pair!.Role.Role, engine.Find("web")!.Current.ServingSite));

        _h.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var taking = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) });

        Assert.Equal(PairRole.Decide, taking.Pair!.Role.Role);
        var switched = Assert.Single(taking.Switched);
        Assert.True(switched is { Service: "web", ServingSite: "b", Reason: DecisionReason.Failover, Planned: false, Epoch: 4 }, $"an unplanned failover of web to b wanted: {switched}");
        Assert.Contains(taking.Flushes, f => f is FlowFlush.ServiceLeftSite { Service: "web", Site: "a" });
    }

    /// <summary>
    /// The hold-down the standby adopted runs from the leader's last automatic switch, as on the leader:
    /// a preempt back to a 1 s before the hub failover holds the failover off until hold_down after that
    /// preempt, not longer, and the step at that time switches.
    /// </summary>
    [Fact]
    public void A_standby_taking_the_vips_right_after_the_leaders_switch_waits_out_only_the_rest_of_the_hold_down()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b", "c"));
        var preemptAt = _h.Now;
        var leader = _h.FromHub1(true, null, 1, ("web", "a", 3), ("mail", "b", 1));
        leader = leader with { Message = leader.Message with { Services = [.. leader.Message.Services.Select(s => s with { LastAutomaticSwitch = preemptAt })] } };
        engine.Step(new HubEvidence { PeerMessages = [leader], Vips = EngineHarness.Holding(false) });

        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        var taking = engine.Step(_h.Results(false, "a") with { Vips = EngineHarness.Holding(true) });
        Assert.Equal(PairRole.Decide, taking.Pair!.Role.Role);
        Assert.Empty(taking.Switched);
        var heldUntil = preemptAt + FailoverPolicyOptions.Default.HoldDown;
        Assert.Equal(heldUntil, engine.Find("web")!.Current.RecheckAt);
        Assert.True(taking.NextWakeUp <= heldUntil, $"the engine must wake up by {heldUntil:O}, not {taking.NextWakeUp:O}");

        _h.Clock.SetUtcNow(heldUntil);
        var afterHoldDown = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) });
        Assert.Equal(("web", "b"), (Assert.Single(afterHoldDown.Switched).Service, afterHoldDown.Switched[0].ServingSite));
    }

    [Fact]
    public void The_active_hub_decides_and_keeps_its_epochs_above_the_peers()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b") with { Vips = EngineHarness.Holding(true) });

        var step = engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(false, null, 1, ("web", "b", 6))], Vips = EngineHarness.Holding(true) });

        Assert.Equal(PairRole.Decide, step.Pair!.Role.Role);
        Assert.NotNull(step.Journal);
        Assert.Equal(("a", 7L), (engine.Find("web")!.Current.ServingSite, engine.Find("web")!.Current.Epoch));
    }

    [Fact]
    public void A_standby_deciding_alone_does_not_raise_its_epochs()
    {
        var engine = _h.Engine();
        engine.Step(_h.Results(true, "a", "b"));

        engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(false, null, 1, ("web", "b", 6))], Vips = EngineHarness.Holding(false) });

        Assert.Equal(("a", 1L), (engine.Find("web")!.Current.ServingSite, engine.Find("web")!.Current.Epoch));
    }

    [Fact]
    public void A_follower_refuses_operator_commands_and_names_the_hub_to_ask()
    {
        var engine = _h.Engine();
        engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, null, 1, ("web", "b", 2))], Vips = EngineHarness.Holding(false) });

        var step = engine.Step(new HubEvidence { Commands = [new OperatorCommand.Pin("web", "a")], Vips = EngineHarness.Holding(false) });

        Assert.False(step.Answers[0].Ok);
        Assert.Contains("run this on hub1", step.Answers[0].Message);
        Assert.Null(engine.Find("web")!.PinnedSite);
    }

    [Fact]
    public void Messages_go_at_once_after_a_switch_and_otherwise_every_advert_interval()
    {
        var engine = _h.Engine();
        var first = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) });
        Assert.NotNull(first.Pair!.Send); // the first heartbeat is due at once

        _h.Clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Null(engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) }).Pair!.Send);

        var switched = engine.Step(_h.Results(true, "a", "b") with { Vips = EngineHarness.Holding(true) });
        Assert.NotEmpty(switched.Switched);
        Assert.True(switched.Pair!.Send!.HoldsVips);

        _h.Clock.Advance(HubPairSettings.Default.AdvertInterval);
        Assert.NotNull(engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) }).Pair!.Send);
    }

    [Fact]
    public void A_hub_that_must_yield_or_cannot_forward_tells_keepalived_to_give_the_VIPs_up()
    {
        var engine = _h.Engine();
        Assert.Equal(new TrackVerdict(true, "starting"), engine.TrackVerdict(null));

        var broken = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true), DataPathFault = "nft rejected line 3" });
        Assert.Equal(new TrackVerdict(false, "cannot forward: nft rejected line 3"), broken.Pair!.Track);

        // Both hold the VIPs and hub1 outranks hub2, heard through a site only: hub2 yields.
        var relayed = _h.FromHub1(true, null, 1, ("web", "a", 1)) with { Direct = false, ReceivedAt = _h.Now.AddMilliseconds(1) };
        _h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var yielding = engine.Step(new HubEvidence { PeerMessages = [relayed], Vips = EngineHarness.Holding(true) });
        Assert.False(yielding.Pair!.Track.Healthy);
        Assert.StartsWith("yielding: ", yielding.Pair.Track.Reason);
    }

    [Fact]
    public void Once_the_VIPs_are_gone_their_flows_are_cleared_once_and_not_on_a_failed_read()
    {
        var engine = _h.Engine();

        var unreadable = engine.Step(new HubEvidence { Vips = null });
        var released = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(false) });
        var still = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(false) });
        engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) });
        var again = engine.Step(new HubEvidence { Vips = EngineHarness.Holding(false) });

        Assert.Empty(unreadable.Flushes);
        Assert.Equal([EngineHarness.WebVip, EngineHarness.MailVip], Assert.IsType<Keepwire.Reconciliation.FlowFlush.VipsReleased>(Assert.Single(released.Flushes)).Vips);
        Assert.Empty(still.Flushes);
        Assert.Single(again.Flushes);
    }

    [Fact]
    public void Flows_towards_released_VIPs_are_swept_again_after_2_and_10_seconds_while_they_stay_away()
    {
        // Stragglers: a client's router that had not yet heard keepalived's gratuitous ARP kept sending here a moment longer.
        var engine = _h.Engine();
        Assert.Single(engine.Step(new HubEvidence { Vips = EngineHarness.Holding(false) }).Flushes);

        int FlushesAfter(double seconds, bool holding = false)
        {
            _h.Clock.Advance(TimeSpan.FromSeconds(seconds));
            return engine.Step(new HubEvidence { Vips = EngineHarness.Holding(holding) }).Flushes.OfType<Keepwire.Reconciliation.FlowFlush.VipsReleased>().Count();
        }

        Assert.Equal(0, FlushesAfter(1.9));
        Assert.Equal(1, FlushesAfter(0.1));
        Assert.Equal(0, FlushesAfter(1));
        Assert.Empty(engine.Step(new HubEvidence { Vips = null }).Flushes);
        Assert.Equal(1, FlushesAfter(8));
        Assert.Equal(0, FlushesAfter(60));

        // Held again and released again: the sweeps start over; held again before a sweep, it does not run.
        Assert.Equal(0, FlushesAfter(1, holding: true));
        Assert.Equal(1, FlushesAfter(1));
        Assert.Equal(0, FlushesAfter(1, holding: true));
        Assert.Equal(0, FlushesAfter(5, holding: true));
    }

    [Fact]
    public void A_failed_VIP_read_keeps_what_the_last_read_said()
    {
        // Counting an unreadable interface as "not holding" would tell the peer this hub let go of the VIPs (a yielded peer
        // would then stop yielding) and reset when this hub took them, so the peer's next claim would look older than that.
        var engine = _h.Engine();
        Assert.True(engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) }).Pair!.Send!.HoldsVips);

        _h.Clock.Advance(HubPairSettings.Default.AdvertInterval);
        var unreadable = engine.Step(new HubEvidence { Vips = null });

        Assert.True(unreadable.Pair!.Send!.HoldsVips);
        Assert.True(unreadable.Pair.HoldsVips);
        Assert.Equal(PairRole.Decide, unreadable.Pair.Role.Role);
        Assert.Empty(unreadable.Flushes);
    }

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);
}
