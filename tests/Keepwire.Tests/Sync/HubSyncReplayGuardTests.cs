using Keepwire.Sync;

namespace Keepwire.Tests.Sync;

public sealed class HubSyncReplayGuardTests : IDisposable
{
    private readonly SyncFixture _pair = new();
    private readonly HubSyncReplayGuard _guard;

    public HubSyncReplayGuardTests() => _guard = new HubSyncReplayGuard("hub1", TimeSpan.FromSeconds(2), _pair.Clock);

    [Fact]
    public void Messages_in_order_are_admitted()
    {
        for (var sequence = 1; sequence <= 5; sequence++)
            Assert.Null(_guard.Admit(SyncFixture.Message(sequence: sequence)));
    }

    [Fact]
    public void Gaps_are_fine_lost_datagrams_are_normal()
    {
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 1)));
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 500)));
    }

    [Fact]
    public void A_copy_of_an_admitted_message_is_a_duplicate()
    {
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 1)));
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 2)));

        Assert.Equal(HubSyncRejection.Duplicate, _guard.Admit(SyncFixture.Message(sequence: 2)));
        Assert.Equal(HubSyncRejection.Duplicate, _guard.Admit(SyncFixture.Message(sequence: 1)));
    }

    [Fact]
    public void An_older_message_arriving_late_is_out_of_order()
    {
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 3)));

        // Sequence 2 took the slow relay path: following it would go back in time.
        Assert.Equal(HubSyncRejection.OutOfOrder, _guard.Admit(SyncFixture.Message(sequence: 2)));
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 4)));
    }

    [Fact]
    public void A_replay_from_beyond_the_window_is_refused()
    {
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 1)));
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 1000)));

        Assert.Equal(HubSyncRejection.OutOfOrder, _guard.Admit(SyncFixture.Message(sequence: 1)));
    }

    [Fact]
    public void Sent_at_outside_the_freshness_window_either_way_is_stale()
    {
        var now = _pair.Clock.GetUtcNow();

        Assert.Equal(HubSyncRejection.Stale, _guard.Admit(SyncFixture.Message(sequence: 1, sentAt: now.AddSeconds(-2.001))));
        Assert.Equal(HubSyncRejection.Stale, _guard.Admit(SyncFixture.Message(sequence: 2, sentAt: now.AddSeconds(2.001))));
        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 3, sentAt: now.AddSeconds(-1.9))));
    }

    [Fact]
    public void A_stale_message_does_not_move_the_window()
    {
        Assert.Equal(HubSyncRejection.Stale, _guard.Admit(SyncFixture.Message(sequence: 9, sentAt: _pair.Clock.GetUtcNow().AddMinutes(-1))));

        Assert.Null(_guard.Admit(SyncFixture.Message(sequence: 1)));
    }

    [Fact]
    public void Our_own_message_reflected_by_a_relay_is_from_the_wrong_node()
    {
        Assert.Equal(HubSyncRejection.WrongNode, _guard.Admit(SyncFixture.Message(node: "hub2")));
    }

    [Fact]
    public void A_restarted_peer_starts_a_new_boot_at_sequence_one()
    {
        Assert.Null(_guard.Admit(SyncFixture.Message(boot: SyncFixture.BootA, sequence: 40)));
        _pair.Clock.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Null(_guard.Admit(SyncFixture.Message(boot: SyncFixture.BootB, sequence: 1, sentAt: _pair.Clock.GetUtcNow())));
        Assert.Null(_guard.Admit(SyncFixture.Message(boot: SyncFixture.BootB, sequence: 2, sentAt: _pair.Clock.GetUtcNow())));
    }

    [Fact]
    public void A_straggler_from_the_previous_boot_is_refused_once_the_new_one_is_seen()
    {
        var beforeRestart = _pair.Clock.GetUtcNow();
        Assert.Null(_guard.Admit(SyncFixture.Message(boot: SyncFixture.BootA, sequence: 40, sentAt: beforeRestart)));
        _pair.Clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Null(_guard.Admit(SyncFixture.Message(boot: SyncFixture.BootB, sequence: 1, sentAt: _pair.Clock.GetUtcNow())));

        // Sequence 41 of the old boot, sent before the restart, reaches us late through a relay.
        Assert.Equal(HubSyncRejection.OutOfOrder, _guard.Admit(SyncFixture.Message(boot: SyncFixture.BootA, sequence: 41, sentAt: beforeRestart.AddMilliseconds(100))));
    }

    [Fact]
    public void The_freshness_window_grows_with_the_peer_timeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), HubSyncReplayGuard.FreshnessFor(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(TimeSpan.FromSeconds(6), HubSyncReplayGuard.FreshnessFor(TimeSpan.FromSeconds(3)));
    }

    public void Dispose() => _pair.Dispose();
}
