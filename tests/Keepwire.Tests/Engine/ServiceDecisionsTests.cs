using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Keepwire.Tests.Decisions;

namespace Keepwire.Tests.Engine;

/// <summary>The engine's per-service decisions: restoring the journal, adopting a leader's decisions, raising epochs, reachability.</summary>
public sealed class ServiceDecisionsTests
{
    private readonly EngineHarness _h = new();

    [Fact]
    public void Adopting_the_leaders_decisions_says_what_switched_and_what_it_cannot_follow()
    {
        var decisions = new ServiceDecisions(_h.Config, new Dictionary<string, DecisionRecord>(), _h.Clock);

        var adoption = decisions.Adopt(Leader(("web", "c", 4), ("ftp", "a", 1), ("mail", "b", 2)));

        Assert.Equal(["ftp", "web"], adoption.Mismatched.Order());
        Assert.Equal("b", Assert.Single(adoption.Switched).ServingSite);
        Assert.True(adoption.DecisionsChanged);
        Assert.Null(decisions.Find("web")!.Current.ServingSite);
        Assert.Equal("b", decisions.Find("mail")!.Current.ServingSite);
        Assert.False(decisions.Adopt(Leader(("mail", "b", 2))).DecisionsChanged);
    }

    [Fact]
    public void A_restart_restores_a_last_resort_site_and_never_lowers_an_epoch()
    {
        var lastResort = _h.Config with
        {
            Sites = [.. _h.Config.Sites, DeciderHarness.Node("sorry", 1)],
            Services = [_h.Config.Services[0] with { Failover = FailoverPolicyOptions.Default with { NoHealthySite = NoHealthySiteBehavior.LastResort("sorry") } }, _h.Config.Services[1]],
        };
        var journal = new Dictionary<string, DecisionRecord>
        {
            ["web"] = new("web", "sorry", 12, _h.Now, null),
            ["mail"] = new("mail", "a", 9, _h.Now, null), // a no longer serves mail
        };

        var restarted = new ServiceDecisions(lastResort, journal, _h.Clock);

        Assert.Equal([("mail", null, 9L), ("web", "sorry", 12L)], restarted.Synced().Select(s => (s.Service, s.ServingSite, s.Epoch)).Order());
    }

    [Fact]
    public void A_deciding_hub_raises_its_epochs_above_a_peer_that_went_higher_apart()
    {
        var decisions = new ServiceDecisions(_h.Config, new Dictionary<string, DecisionRecord>(), _h.Clock);
        decisions.Adopt(Leader(("web", "a", 3), ("mail", "b", 3)));

        Assert.True(decisions.RaiseEpochsAbove(Leader(("web", "b", 5), ("mail", "b", 2))));

        Assert.Equal([("mail", 3L), ("web", 6L)], decisions.Synced().Select(s => (s.Service, s.Epoch)).Order());
        Assert.False(decisions.RaiseEpochsAbove(Leader(("web", "b", 5), ("mail", "b", 2))));
    }

    [Fact]
    public void No_site_is_reachable_only_when_every_site_is_known_to_be_down()
    {
        var decisions = new ServiceDecisions(_h.Config, new Dictionary<string, DecisionRecord>(), _h.Clock);
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

    [Fact]
    public void Only_services_with_new_evidence_or_a_due_recheck_are_decided_again()
    {
        var decisions = new ServiceDecisions(_h.Config, new Dictionary<string, DecisionRecord>(), _h.Clock);
        decisions.DecideAll();
        foreach (var site in new[] { "a", "b" })
        {
            for (var i = 0; i < DeciderHarness.Check.Rise; i++)
                decisions.Record(_h.Probe("web", site, success: true));
        }

        var switched = decisions.DecideDue();

        Assert.Equal("web", Assert.Single(switched).Service);
        Assert.Null(decisions.Find("mail")!.Current.ServingSite);
        Assert.Empty(decisions.DecideDue());
    }

    private void Fail(ServiceDecider decider, string site)
    {
        for (var i = 0; i < DeciderHarness.Check.Fall; i++)
            decider.Record(CheckResult.Failed(site, "http", _h.Now, "timeout"));
    }

    private HubSyncMessage Leader(params (string Service, string Site, long Epoch)[] services) =>
        new("hub1", Guid.NewGuid(), 1, _h.Now, true,
            [.. services.Select(s => new SyncedDecision(s.Service, s.Site, _h.Now.AddMinutes(-1), s.Epoch, true, DecisionReason.Selected, null))],
            OperatorIntent.None);
}
