using Keepwire.Sync;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Sync;

/// <summary>hub1 (vrrp_priority 150) and hub2 (100), peer_timeout 1 s, each with its own view of the other.</summary>
public sealed class PeerHubViewTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new(SyncFixture.Start);
    private readonly PeerHubView _hub1;
    private readonly PeerHubView _hub2;
    private long _sequence;

    public PeerHubViewTests()
    {
        _hub1 = new PeerHubView("hub1", 150, "hub2", 100, PeerTimeout, _clock);
        _hub2 = new PeerHubView("hub2", 100, "hub1", 150, PeerTimeout, _clock);
    }

    [Fact]
    public void Active_decides_and_standby_follows()
    {
        _hub1.Observe(From("hub2", holdsVips: false));
        _hub2.Observe(From("hub1", holdsVips: true));

        var active = _hub1.Evaluate(holdsVips: true);
        var standby = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Decide, false), (active.Role, active.Yield));
        Assert.Equal((PairRole.Follow, false), (standby.Role, standby.Yield));
        Assert.Equal("hub1", standby.Leader!.Node);
        Assert.Equal(SyncFixture.Start + PeerTimeout, standby.RecheckAt);
    }

    [Fact]
    public void The_lower_priority_hub_that_holds_the_VIPs_decides_and_the_other_follows_it()
    {
        // After a failover to hub2 nothing moves the VIPs back (nopreempt): hub1 follows the holder, not the priority.
        _hub1.Observe(From("hub2", holdsVips: true));
        _hub2.Observe(From("hub1", holdsVips: false));

        Assert.Equal(PairRole.Follow, _hub1.Evaluate(holdsVips: false).Role);
        Assert.Equal(PairRole.Decide, _hub2.Evaluate(holdsVips: true).Role);
    }

    [Fact]
    public void A_hub_that_just_lost_the_VIPs_does_not_follow_a_claim_older_than_its_own()
    {
        // hub2 took the VIPs while hub1 was cut off; hub1 is back, and VRRP hands the VIPs back to it.
        _hub2.Observe(From("hub1", holdsVips: true));
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        _hub2.Evaluate(holdsVips: true);
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        _hub2.Evaluate(holdsVips: true);

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        var justLost = _hub2.Evaluate(holdsVips: false);
        Assert.Equal((PairRole.Decide, false), (justLost.Role, justLost.Yield));

        _hub2.Observe(From("hub1", holdsVips: true));
        Assert.Equal(PairRole.Follow, _hub2.Evaluate(holdsVips: false).Role);
    }

    [Fact]
    public void The_standby_decides_once_the_active_hub_is_silent_for_the_peer_timeout()
    {
        _hub2.Observe(From("hub1", holdsVips: true));
        Assert.Equal(PairRole.Follow, _hub2.Evaluate(holdsVips: false).Role);

        _clock.Advance(PeerTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(PairRole.Follow, _hub2.Evaluate(holdsVips: false).Role);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var alone = _hub2.Evaluate(holdsVips: false);
        Assert.Equal((PairRole.Decide, false), (alone.Role, alone.Yield));
        Assert.Null(_hub2.LivePeer);
        Assert.Contains("silent", alone.Reason);
    }

    [Fact]
    public void Taking_the_VIPs_from_a_dead_peer_decides_at_once_its_last_claim_does_not_count()
    {
        _hub2.Observe(From("hub1", holdsVips: true));
        _hub2.Evaluate(holdsVips: false);

        // hub1 died; keepalived on hub2 takes the VIPs 350 ms later, well within peer_timeout.
        _clock.Advance(TimeSpan.FromMilliseconds(350));
        var takeover = _hub2.Evaluate(holdsVips: true);

        Assert.Equal((PairRole.Decide, false), (takeover.Role, takeover.Yield));
    }

    [Fact]
    public void Both_active_through_a_partition_between_the_hubs_the_lower_follows_and_yields()
    {
        _hub1.Evaluate(holdsVips: true);
        _hub2.Evaluate(holdsVips: true);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        // Only the relayed copies arrive: the pair link is cut.
        _hub1.Observe(From("hub2", holdsVips: true, direct: false));
        _hub2.Observe(From("hub1", holdsVips: true, direct: false));

        var higher = _hub1.Evaluate(holdsVips: true);
        var lower = _hub2.Evaluate(holdsVips: true);

        Assert.Equal((PairRole.Decide, false), (higher.Role, higher.Yield));
        Assert.Equal((PairRole.Follow, true), (lower.Role, lower.Yield));
        Assert.Equal("hub1", lower.Leader!.Node);
    }

    [Fact]
    public void A_yielded_hub_stays_out_while_the_active_peer_is_heard_only_through_sites()
    {
        YieldInSplitBrain();

        // keepalived gave the VIPs up; giving them back now would only start the split brain again.
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: true, direct: false));
        var yielded = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Follow, true), (yielded.Role, yielded.Yield));
    }

    [Fact]
    public void A_yielded_hub_returns_when_the_peer_is_heard_directly_again()
    {
        YieldInSplitBrain();

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: true, direct: true));
        var healed = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Follow, false), (healed.Role, healed.Yield));
    }

    [Fact]
    public void A_yielded_hub_returns_and_decides_when_the_peer_has_been_silent_for_three_peer_timeouts()
    {
        YieldInSplitBrain();

        // Silent for peer_timeout: hub2 decides, but stays out of VRRP (a stall or a late relay looks the same at first).
        _clock.Advance(PeerTimeout);
        var silent = _hub2.Evaluate(holdsVips: false);
        Assert.Equal((PairRole.Decide, true), (silent.Role, silent.Yield));
        Assert.Equal(SyncFixture.Start + TimeSpan.FromMilliseconds(100) + 3 * PeerTimeout, silent.RecheckAt);

        _clock.Advance(2 * PeerTimeout);
        var alone = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Decide, false), (alone.Role, alone.Yield));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Once_the_active_peer_is_gone_no_recheck_lies_in_the_past(bool heardDirectly)
    {
        // hub1 holds the VIPs and dies (kill -9): hub2 hears nothing more from it. A recheck at or before now would wake
        // the hub's loop at once, every pass, until hub1 came back.
        _hub2.Observe(From("hub1", holdsVips: true, direct: heardDirectly));

        for (var elapsed = TimeSpan.Zero; elapsed < 10 * PeerTimeout; elapsed += TimeSpan.FromMilliseconds(50))
        {
            var role = _hub2.Evaluate(holdsVips: elapsed > 2 * PeerTimeout);
            Assert.True(role.RecheckAt is null || role.RecheckAt > _clock.GetUtcNow(), $"at +{elapsed.TotalMilliseconds} ms: recheck at {role.RecheckAt:O}, now {_clock.GetUtcNow():O}");
            _clock.Advance(TimeSpan.FromMilliseconds(50));
        }
    }

    [Fact]
    public void A_yielded_hub_returns_when_the_peer_says_it_let_go_of_the_VIPs()
    {
        YieldInSplitBrain();

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: false, direct: false));
        var released = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Decide, false), (released.Role, released.Yield));
    }

    [Fact]
    public void A_yielded_hub_that_saw_the_peer_silent_for_one_pass_stays_out_when_its_next_claim_arrives()
    {
        // The lab's partition test, about every other run: hub2's loop or the relays stalled past peer_timeout, hub2 stopped
        // yielding, and with no way back into yielding short of holding the VIPs again its keepalived took them from hub1.
        // Now the yield outlasts such a gap, and a claim heard through the sites starts it again in any case.
        YieldInSplitBrain();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(_hub2.Evaluate(holdsVips: false).Yield);

        _clock.Advance(PeerTimeout);
        Assert.True(_hub2.Evaluate(holdsVips: false).Yield);
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        _hub2.Observe(From("hub1", holdsVips: true, direct: false));
        var back = _hub2.Evaluate(holdsVips: false);

        Assert.Equal((PairRole.Follow, true), (back.Role, back.Yield));
        Assert.Equal("hub1", back.Leader!.Node);
    }

    [Fact]
    public void A_standby_that_hears_the_active_peer_only_through_sites_stays_out_of_VRRP()
    {
        // It never held the VIPs (it started during the partition): keepalived would take them all the same.
        _hub2.Observe(From("hub1", holdsVips: true, direct: false));
        var standby = _hub2.Evaluate(holdsVips: false);
        Assert.Equal((PairRole.Follow, true), (standby.Role, standby.Yield));

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: true, direct: true));
        Assert.Equal((PairRole.Follow, false), (_hub2.Evaluate(holdsVips: false) is var linked ? (linked.Role, linked.Yield) : default));
    }

    [Fact]
    public void Both_active_while_the_pair_link_works_follows_without_yielding_VRRP_settles_it()
    {
        _hub2.Evaluate(holdsVips: true);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: true, direct: true));

        var lower = _hub2.Evaluate(holdsVips: true);

        Assert.Equal((PairRole.Follow, false), (lower.Role, lower.Yield));
    }

    [Fact]
    public void When_neither_holds_the_VIPs_both_decide_locally_a_restarted_peer_is_not_copied()
    {
        // hub1's daemon has just restarted (its checks have no results yet); hub2 will take the VIPs in a moment.
        _hub1.Observe(From("hub2", holdsVips: false));
        _hub2.Observe(From("hub1", holdsVips: false));

        Assert.Equal(PairRole.Decide, _hub1.Evaluate(holdsVips: false).Role);
        Assert.Equal(PairRole.Decide, _hub2.Evaluate(holdsVips: false).Role);
    }

    [Fact]
    public void A_restarted_peer_is_followed_from_its_first_message()
    {
        _hub2.Observe(From("hub1", holdsVips: true, boot: SyncFixture.BootA, sequence: 900));
        _clock.Advance(TimeSpan.FromMilliseconds(500));

        Assert.True(_hub2.Observe(From("hub1", holdsVips: true, boot: SyncFixture.BootB, sequence: 1)));
        Assert.Equal(SyncFixture.BootB, _hub2.Evaluate(holdsVips: false).Leader!.BootId);
    }

    [Fact]
    public void A_hub_that_hears_neither_its_peer_nor_any_site_is_cut_off_and_yields()
    {
        var isolated = _hub1.Evaluate(holdsVips: true, anySiteReachable: false);
        Assert.Equal((PairRole.Decide, true), (isolated.Role, isolated.Yield));
        Assert.Contains("cut off", isolated.Reason);

        // Hearing the peer again ends it: it is the peer that holds the VIPs now, and this hub follows.
        _hub1.Observe(From("hub2", holdsVips: true));
        var back = _hub1.Evaluate(holdsVips: false, anySiteReachable: false);
        Assert.Equal((PairRole.Follow, false), (back.Role, back.Yield));
    }

    [Fact]
    public void Sites_down_with_a_live_peer_is_no_reason_to_yield()
    {
        _hub1.Observe(From("hub2", holdsVips: false));

        Assert.False(_hub1.Evaluate(holdsVips: true, anySiteReachable: false).Yield);
    }

    [Fact]
    public void Duplicates_older_messages_and_other_nodes_are_ignored()
    {
        var newest = From("hub1", holdsVips: true, sequence: 5);
        Assert.True(_hub2.Observe(newest));

        Assert.False(_hub2.Observe(newest));
        Assert.False(_hub2.Observe(From("hub1", holdsVips: false, sequence: 4)));
        Assert.False(_hub2.Observe(From("hub2", holdsVips: false, sequence: 6)));
        Assert.Same(newest, _hub2.Latest);
    }

    [Fact]
    public void A_message_held_back_by_a_relay_does_not_keep_a_dead_peer_alive()
    {
        var sentAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMilliseconds(800));
        _hub2.Observe(new ReceivedSyncMessage(SyncFixture.Message(sequence: 1, sentAt: sentAt), _clock.GetUtcNow(), Direct: false));

        _clock.Advance(TimeSpan.FromMilliseconds(200));

        Assert.False(_hub2.IsPeerAlive);
    }

    /// <summary>hub2 holds the VIPs, then hears hub1 claim them too, through a site only.</summary>
    private void YieldInSplitBrain()
    {
        _hub2.Evaluate(holdsVips: true);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        _hub2.Observe(From("hub1", holdsVips: true, direct: false));
        Assert.True(_hub2.Evaluate(holdsVips: true).Yield);
    }

    private ReceivedSyncMessage From(string node, bool holdsVips, bool direct = true, Guid? boot = null, long? sequence = null) =>
        new(SyncFixture.Message(node, boot, sequence ?? ++_sequence, _clock.GetUtcNow(), holdsVips), _clock.GetUtcNow(), direct);
}
