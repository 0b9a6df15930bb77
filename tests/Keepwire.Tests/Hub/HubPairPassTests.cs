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

    private void MakeHealthy()
    {
        for (var i = 0; i < DeciderHarness.Check.Rise; i++)
        {
            foreach (var site in new[] { "a", "b" })
                _decisions.Find("web")!.Record(CheckResult.Passed(site, "http", _clock.GetUtcNow(), "status 200"));
        }
    }

    private void Hear(bool holdsVips, string site, long epoch, OperatorIntent intent)
    {
        var message = new HubSyncMessage("hub1", Guid.NewGuid(), 1, _clock.GetUtcNow(), holdsVips,
            [new SyncedDecision("web", site, _clock.GetUtcNow(), epoch, true, DecisionReason.Selected, null)], intent);
        _view.Observe(new ReceivedSyncMessage(message, _clock.GetUtcNow(), Direct: true));
    }
}
