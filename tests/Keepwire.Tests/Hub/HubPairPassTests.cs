using System.Net;
using Keepwire.Decisions;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Keepwire.Tests.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Hub;

/// <summary>hub2's pair pass against hub1's messages: what it returns for the loop to apply and persist.</summary>
public sealed class HubPairPassTests
{
    private readonly FakeTimeProvider _clock = new(DeciderHarness.Start);
    private readonly ServiceDecisions _decisions;
    private readonly PeerHubView _view;

    public HubPairPassTests()
    {
        var web = new ServiceConfig("web", [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], ["a", "b"]) { Checks = [DeciderHarness.Check] };
        var config = new ClusterConfig("test.yaml", [], [DeciderHarness.Node("a", 300), DeciderHarness.Node("b", 200)], [web]);
        _decisions = new ServiceDecisions(config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
        _view = new PeerHubView("hub2", 100, "hub1", 150, TimeSpan.FromSeconds(1), _clock);
    }

    [Fact]
    public void The_standby_adopts_the_active_hubs_decisions_and_intent()
    {
        var intent = OperatorIntent.None.WithDrain("a", true);
        Hear(holdsVips: true, site: "b", epoch: 4, intent);

        var pass = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: false);

        Assert.Equal(PairRole.Follow, pass.Role.Role);
        Assert.Equal("b", Assert.Single(pass.Switched).ServingSite);
        Assert.True(pass.JournalChanged);
        Assert.Same(intent, pass.AdoptedIntent);
    }

    [Fact]
    public void The_active_hub_decides_and_keeps_its_epochs_above_the_peers()
    {
        MakeHealthy();
        HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: true);
        Hear(holdsVips: false, site: "b", epoch: 6, OperatorIntent.None);

        var pass = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: true);

        Assert.Equal(PairRole.Decide, pass.Role.Role);
        Assert.True(pass.JournalChanged);
        Assert.Equal(("a", 7L), (_decisions.Find("web")!.Current.ServingSite, _decisions.Find("web")!.Current.Epoch));
    }

    [Fact]
    public void A_standby_deciding_alone_does_not_raise_its_epochs()
    {
        MakeHealthy();
        Hear(holdsVips: false, site: "b", epoch: 6, OperatorIntent.None);

        var pass = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: false);

        Assert.Equal(PairRole.Decide, pass.Role.Role);
        Assert.Equal(("a", 1L), (_decisions.Find("web")!.Current.ServingSite, _decisions.Find("web")!.Current.Epoch));
    }

    /// <summary>
    /// The lab case of a site failing during a hub failover: hub2 follows hub1 (serving a), a's web server
    /// dies while hub1's link is cut, hub2's own probes see it, and hub2 takes the VIPs. Deciding from the
    /// adopted state, it leaves the dead site on its first pass: no startup grace for a site it knows is
    /// down, and no hold-down when the leader's last automatic switch is long past.
    /// </summary>
    [Fact]
    public void A_standby_taking_the_vips_leaves_a_dead_adopted_site_on_its_first_pass()
    {
        MakeHealthy();
        Hear(holdsVips: true, site: "a", epoch: 3, OperatorIntent.None);
        Assert.Equal(PairRole.Follow, HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: false).Role.Role);

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Fail("a");
        var following = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: false);
        Assert.Equal((PairRole.Follow, "a"), (following.Role.Role, _decisions.Find("web")!.Current.ServingSite));

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        var taking = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: true);

        Assert.Equal(PairRole.Decide, taking.Role.Role);
        var switched = Assert.Single(taking.Switched);
        Assert.True(switched is { ServingSite: "b", Reason: DecisionReason.Failover, Planned: false, Epoch: 4 }, $"an unplanned failover to b wanted: {switched}");
    }

    /// <summary>
    /// The hold-down the standby adopted runs from the leader's last automatic switch, as on the leader:
    /// a preempt back to a 1 s before the hub failover holds the failover off until 3 s after that preempt,
    /// not longer, and the pass that reaches that time switches.
    /// </summary>
    [Fact]
    public void A_standby_taking_the_vips_right_after_the_leaders_switch_waits_out_only_the_rest_of_the_hold_down()
    {
        MakeHealthy();
        var preemptAt = _clock.GetUtcNow();
        Hear(holdsVips: true, site: "a", epoch: 3, OperatorIntent.None, lastAutomaticSwitch: preemptAt);
        HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: false);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Fail("a");
        var taking = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: true);
        Assert.Empty(taking.Switched);
        var heldUntil = preemptAt + FailoverPolicyOptions.Default.HoldDown;
        Assert.Equal(heldUntil, _decisions.NextRecheck());

        _clock.SetUtcNow(heldUntil);
        var afterHoldDown = HubPairPass.Run(_view, _decisions, OperatorIntent.None, holdsVips: true);
        Assert.Equal("b", Assert.Single(afterHoldDown.Switched).ServingSite);
    }

    private void Fail(string site)
    {
        for (var i = 0; i < DeciderHarness.Check.Fall; i++)
            _decisions.Find("web")!.Record(CheckResult.Failed(site, "http", _clock.GetUtcNow(), "connection refused"));
    }

    private void MakeHealthy()
    {
        for (var i = 0; i < DeciderHarness.Check.Rise; i++)
        {
            foreach (var site in new[] { "a", "b" })
                _decisions.Find("web")!.Record(CheckResult.Passed(site, "http", _clock.GetUtcNow(), "status 200"));
        }
    }

    private void Hear(bool holdsVips, string site, long epoch, OperatorIntent intent, DateTimeOffset? lastAutomaticSwitch = null)
    {
        var message = new HubSyncMessage("hub1", Guid.NewGuid(), 1, _clock.GetUtcNow(), holdsVips,
            [new SyncedDecision("web", site, _clock.GetUtcNow(), epoch, true, DecisionReason.Selected, lastAutomaticSwitch)], intent);
        _view.Observe(new ReceivedSyncMessage(message, _clock.GetUtcNow(), Direct: true));
    }
}
