using System.Net;
using Keepwire.Decisions;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Keepwire.Tests.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Hub;

/// <summary>A follower hub's decisions: adopting the leader's message, persisting it, and keeping it over a restart.</summary>
public sealed class ServiceDecisionsPairTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DeciderHarness.Start);
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("keepwire-pair-").FullName;
    private readonly ClusterConfig _config;

    public ServiceDecisionsPairTests()
    {
        ServiceConfig Service(string name, params string[] sites) =>
            new(name, [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], sites) { Checks = [DeciderHarness.Check] };
        _config = new ClusterConfig("test.yaml", [], [DeciderHarness.Node("a", 300), DeciderHarness.Node("b", 200), DeciderHarness.Node("c", 100)], [Service("web", "a", "b"), Service("mail", "b", "c")]);
    }

    [Fact]
    public void The_follower_adopts_sites_epochs_pins_and_drains_and_says_what_changed()
    {
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
        var leader = Leader(("web", "b", 7), ("mail", "c", 3)) with { Intent = OperatorIntent.None.WithDrain("a", true).WithPin("mail", "c") };

        var adoption = decisions.Adopt(leader, OperatorIntent.None);

        Assert.Equal(["b", "c"], adoption.Switched.Select(d => d.ServingSite).Order());
        Assert.True(adoption.DecisionsChanged);
        Assert.True(adoption.IntentChanged);
        Assert.Empty(adoption.Mismatched);
        Assert.True(decisions.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Equal("c", decisions.Find("mail")!.PinnedSite);
        Assert.Equal([("mail", "c", 3L), ("web", "b", 7L)], decisions.Synced().Select(s => (s.Service, s.ServingSite, s.Epoch)).Order());

        var again = decisions.Adopt(leader, leader.Intent);
        Assert.Empty(again.Switched);
        Assert.False(again.DecisionsChanged);
        Assert.False(again.IntentChanged);
    }

    [Fact]
    public void The_leaders_undrain_and_unpin_are_adopted_too()
    {
        var intent = OperatorIntent.None.WithDrain("a", true).WithPin("web", "b");
        var decisions = new ServiceDecisions(_config, intent, new Dictionary<string, DecisionRecord>(), _clock);

        var adoption = decisions.Adopt(Leader(("web", "b", 2)), intent);

        Assert.True(adoption.IntentChanged);
        Assert.False(decisions.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Null(decisions.Find("web")!.PinnedSite);
    }

    [Fact]
    public void What_this_hub_cannot_follow_is_reported_and_left_alone()
    {
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);

        var adoption = decisions.Adopt(Leader(("web", "c", 4), ("ftp", "a", 1), ("mail", "b", 2)), OperatorIntent.None);

        Assert.Equal(["ftp", "web"], adoption.Mismatched.Order());
        Assert.Null(decisions.Find("web")!.Current.ServingSite);
        Assert.Equal("b", decisions.Find("mail")!.Current.ServingSite);
    }

    [Fact]
    public void A_restarted_follower_continues_with_what_it_adopted()
    {
        var store = new StateStore(_stateDirectory);
        var journal = new DecisionJournal(_stateDirectory);
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, journal.Load(), _clock);
        var leader = Leader(("web", "b", 7), ("mail", "c", 3)) with { Intent = OperatorIntent.None.WithDrain("a", true).WithPin("mail", "c") };
        var adoption = decisions.Adopt(leader, OperatorIntent.None);
        // What the hub does with the adoption: persist exactly like its own decisions and intent.
        if (adoption.IntentChanged)
            store.SaveIntent(leader.Intent);
        if (adoption.DecisionsChanged)
            journal.Save(decisions.Records());

        var restarted = new ServiceDecisions(_config, store.LoadIntent(), journal.Load(), _clock);

        Assert.Equal([("mail", "c", 3L), ("web", "b", 7L)], restarted.Synced().Select(s => (s.Service, s.ServingSite, s.Epoch)).Order());
        Assert.True(restarted.Find("web")!.Health.IsInMaintenance("a"));
        Assert.Equal("c", restarted.Find("mail")!.PinnedSite);
    }

    [Fact]
    public void When_the_active_hub_dies_the_standby_decides_and_keeps_its_sites_and_epochs()
    {
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
        var view = new PeerHubView("hub2", 100, "hub1", 150, TimeSpan.FromSeconds(1), _clock);
        foreach (var name in new[] { "web", "mail" })
        {
            for (var i = 0; i < DeciderHarness.Check.Rise; i++)
            {
                foreach (var site in new[] { "a", "b", "c" })
                    decisions.Find(name)!.Health.Record(CheckResult.Passed(site, "http", _clock.GetUtcNow(), "status 200"));
            }
        }

        // hub1 had moved web to b (a was drained then undrained, say): not what hub2 would choose on its own.
        view.Observe(new ReceivedSyncMessage(Leader(("web", "b", 7), ("mail", "b", 3)), _clock.GetUtcNow(), Direct: true));
        var following = view.Evaluate(holdsVips: false);
        Assert.Equal(PairRole.Follow, following.Role);
        decisions.Adopt(following.Leader!, OperatorIntent.None);

        _clock.Advance(TimeSpan.FromMilliseconds(400));
        var takeover = view.Evaluate(holdsVips: true);
        Assert.Equal(PairRole.Decide, takeover.Role);

        Assert.Empty(decisions.DecideAll());
        Assert.Equal([("mail", "b", 3L), ("web", "b", 7L)], decisions.Synced().Select(s => (s.Service, s.ServingSite, s.Epoch)).Order());
    }

    [Fact]
    public void A_restart_restores_a_last_resort_site_and_never_lowers_an_epoch()
    {
        var lastResort = _config with
        {
            Sites = [.. _config.Sites, DeciderHarness.Node("sorry", 1)],
            Services = [_config.Services[0] with { Failover = FailoverPolicyOptions.Default with { NoHealthySite = NoHealthySiteBehavior.LastResort("sorry") } }, _config.Services[1]],
        };
        var journal = new Dictionary<string, DecisionRecord>
        {
            ["web"] = new("web", "sorry", 12, _clock.GetUtcNow(), null),
            ["mail"] = new("mail", "a", 9, _clock.GetUtcNow(), null), // a no longer serves mail
        };

        var restarted = new ServiceDecisions(lastResort, OperatorIntent.None, journal, _clock);

        Assert.Equal([("mail", null, 9L), ("web", "sorry", 12L)], restarted.Synced().Select(s => (s.Service, s.ServingSite, s.Epoch)).Order());
    }

    [Fact]
    public void A_deciding_hub_raises_its_epochs_above_a_peer_that_went_higher_apart()
    {
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
        decisions.Adopt(Leader(("web", "a", 3), ("mail", "b", 3)), OperatorIntent.None);

        Assert.True(decisions.RaiseEpochsAbove(Leader(("web", "b", 5), ("mail", "b", 2))));

        Assert.Equal([("mail", 3L), ("web", 6L)], decisions.Synced().Select(s => (s.Service, s.Epoch)).Order());
        Assert.False(decisions.RaiseEpochsAbove(Leader(("web", "b", 5), ("mail", "b", 2))));
    }

    [Fact]
    public void No_site_is_reachable_only_when_every_site_is_known_to_be_down()
    {
        var decisions = new ServiceDecisions(_config, OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
        Assert.True(decisions.AnySiteReachable()); // Unknown: a starting hub is not cut off

        foreach (var decider in decisions.All)
        {
            foreach (var site in decider.SitesByPreference.Where(s => s != "c"))
                Fail(decider, site);
        }
        Assert.True(decisions.AnySiteReachable());

        Fail(decisions.Find("mail")!, "c");
        Assert.False(decisions.AnySiteReachable());
    }

    private void Fail(ServiceDecider decider, string site)
    {
        for (var i = 0; i < DeciderHarness.Check.Fall; i++)
            decider.Record(CheckResult.Failed(site, "http", _clock.GetUtcNow(), "timeout"));
    }

    private HubSyncMessage Leader(params (string Service, string Site, long Epoch)[] services) =>
        new("hub1", Guid.NewGuid(), 1, _clock.GetUtcNow(), true,
            [.. services.Select(s => new SyncedDecision(s.Service, s.Site, _clock.GetUtcNow().AddMinutes(-1), s.Epoch, true, DecisionReason.Selected, null))],
            OperatorIntent.None);

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);
}
