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

    /// <summary>
    /// The chaos soak's lost unpin (seed 62): hub1 leads with web pinned to b; the pair is cut and hub2, deciding
    /// alone, takes an unpin; when they meet again hub1 still leads. Before revisions hub2 took hub1's older intent
    /// back and the pin returned on both hubs; now the newer unpin wins on both.
    /// </summary>
    [Fact]
    public void An_unpin_taken_by_the_standby_while_the_pair_was_cut_survives_the_leader_returning()
    {
        var (hub1, hub2) = StartedPair();
        var pin = hub1.Step(new HubEvidence { Commands = [new OperatorCommand.Pin("web", "b")] }, holdsVips: true);
        Assert.True(pin.Answers[0].Ok);
        Exchange(hub1, hub2, hub2HoldsVips: false);
        Assert.Equal(("b", "b"), (hub1.Engine.Find("web")!.PinnedSite, hub2.Engine.Find("web")!.PinnedSite));

        CutWhileBothHoldTheVips(hub1, hub2);
        var unpin = hub2.Step(new HubEvidence { Commands = [new OperatorCommand.Unpin("web")] }, holdsVips: true);
        Assert.True(unpin.Answers[0].Ok);
        Assert.Null(hub2.Engine.Find("web")!.PinnedSite);

        // Healed: keepalived leaves the VIPs with hub1 (higher priority), hub2 follows it again.
        Exchange(hub1, hub2, hub2HoldsVips: false);

        Assert.Equal(PairRole.Follow, hub2.Engine.Role!.Role);
        Assert.Empty(hub1.Engine.Intent.PinnedSiteByService);
        Assert.True(hub2.Engine.Intent.SameAs(hub1.Engine.Intent));
        Assert.Equal((null, null), (hub1.Engine.Find("web")!.PinnedSite, hub2.Engine.Find("web")!.PinnedSite));
    }

    /// <summary>The other way round: a pin hub2 took alone is adopted by the returning leader, which acts on it at once.</summary>
    [Fact]
    public void A_pin_taken_by_the_standby_while_the_pair_was_cut_moves_the_service_on_the_returning_leader()
    {
        var (hub1, hub2) = StartedPair();
        Assert.Equal("a", hub1.Engine.Find("web")!.Current.ServingSite);

        CutWhileBothHoldTheVips(hub1, hub2);
        Assert.True(hub2.Step(new HubEvidence { Commands = [new OperatorCommand.Pin("web", "b")] }, holdsVips: true).Answers[0].Ok);

        Exchange(hub1, hub2, hub2HoldsVips: false);

        Assert.Equal(("b", "b"), (hub1.Engine.Find("web")!.PinnedSite, hub1.Engine.Find("web")!.Current.ServingSite));
        Assert.Equal("b", hub2.Engine.Find("web")!.Current.ServingSite);
        Assert.True(hub2.Engine.Intent.SameAs(hub1.Engine.Intent));
    }

    [Fact]
    public void A_command_outranks_every_intent_either_hub_has_shown_and_on_a_tie_the_leaders_wins()
    {
        var engine = _h.Engine();
        var leaders = OperatorIntent.None.WithPin("web", "a").RevisedAbove(4);
        engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, leaders, 1, ("web", "a", 1))], Vips = EngineHarness.Holding(false) });
        Assert.Equal(5, engine.Intent.Revision);

        // The leader goes silent; this hub decides, and its command goes above what it heard.
        _h.Clock.Advance(TimeSpan.FromSeconds(3));
        engine.Step(new HubEvidence { Vips = EngineHarness.Holding(true) });
        engine.Step(new HubEvidence { Commands = [new OperatorCommand.Drain("c", true)], Vips = EngineHarness.Holding(true) });
        Assert.Equal(6, engine.Intent.Revision);

        // Back, with another command of the same revision: the hub it follows wins the tie.
        var other = OperatorIntent.None.WithPin("web", "b").RevisedAbove(5);
        engine.Step(new HubEvidence { PeerMessages = [_h.FromHub1(true, other, 2, ("web", "b", 2))], Vips = EngineHarness.Holding(false) });
        Assert.True(engine.Intent.SameAs(other));
    }

    /// <summary>Both hubs find every site healthy; hub1 holds the VIPs and hub2 follows it.</summary>
    private (PairMember Hub1, PairMember Hub2) StartedPair()
    {
        var (hub1, hub2) = (Member("hub1"), Member("hub2"));
        hub1.Step(_h.Results(true, "a", "b", "c"), holdsVips: true);
        hub2.Step(_h.Results(true, "a", "b", "c"), holdsVips: false);
        Exchange(hub1, hub2, hub2HoldsVips: false);
        return (hub1, hub2);
    }

    /// <summary>The pair is cut: nothing passes; hub2 hears nothing for longer than the peer timeout, takes the VIPs and decides alone.</summary>
    private void CutWhileBothHoldTheVips(PairMember hub1, PairMember hub2)
    {
        _h.Clock.Advance(TimeSpan.FromSeconds(3));
        hub1.Step(new HubEvidence(), holdsVips: true);
        Assert.Equal(PairRole.Decide, hub2.Step(new HubEvidence(), holdsVips: true).Pair!.Role.Role);
    }

    private PairMember Member(string hub) =>
        new(new HubEngine(_h.Config, _h.Config.FindHub(hub)!, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _h.Clock), new HubSyncSequence(hub, _h.Clock), _h.Clock);

    /// <summary>Ten heartbeats with every message delivered; hub1 holds the VIPs throughout.</summary>
    private void Exchange(PairMember hub1, PairMember hub2, bool hub2HoldsVips)
    {
        for (var beat = 0; beat < 10; beat++)
        {
            _h.Clock.Advance(HubPairSettings.DefaultAdvertInterval);
            hub1.Step(new HubEvidence { PeerMessages = hub2.TakeNews() }, holdsVips: true);
            hub2.Step(new HubEvidence { PeerMessages = hub1.TakeNews() }, holdsVips: hub2HoldsVips);
        }
    }

    /// <summary>One hub of the pair in process: its engine, its message stamps, and what it said that the peer has not heard yet.</summary>
    private sealed class PairMember(HubEngine engine, HubSyncSequence sequence, TimeProvider time)
    {
        private readonly List<ReceivedSyncMessage> _news = [];

        public HubEngine Engine => engine;

        public HubStep Step(HubEvidence evidence, bool holdsVips)
        {
            var step = engine.Step(evidence with { Vips = EngineHarness.Holding(holdsVips) });
            if (step.Pair?.Send is { } draft)
                _news.Add(new ReceivedSyncMessage(sequence.Next(draft.HoldsVips, draft.Services, draft.Intent), time.GetUtcNow(), Direct: true));
            return step;
        }

        public IReadOnlyList<ReceivedSyncMessage> TakeNews()
        {
            var news = _news.ToList();
            _news.Clear();
            return news;
        }
    }

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);
}
