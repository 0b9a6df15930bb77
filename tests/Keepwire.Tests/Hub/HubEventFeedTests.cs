using Keepwire.Engine;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Tests.Engine;

namespace Keepwire.Tests.Hub;

public sealed class HubEventFeedTests
{
    private readonly EngineHarness _h = new();
    private readonly HubEventFeed _feed = new();
    private readonly List<HubEvent> _heard = [];

    public HubEventFeedTests() => _feed.Subscribe(new Sink(_heard));

    [Fact]
    public void A_failover_is_told_with_its_reason_and_the_time_from_the_first_failed_result_to_the_applied_table()
    {
        var engine = _h.Engine();
        Step(engine, _h.Results(true, "a", "b", "c"));
        // The first choices are told (web on a, mail on b); healthy sites at start are no news.
        Assert.Equal([("web", null, "a", "selected"), ("mail", null, "b", "selected")], _heard.Select(e => (e.Service, e.From, e.To, e.Reason)));
        _heard.Clear();

        var firstFailure = _h.Now;
        Step(engine, new HubEvidence { Probes = [_h.Probe("web", "a", false)] });
        _h.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var step = engine.Step(new HubEvidence { Probes = [_h.Probe("web", "a", false)] });
        var applied = _h.Now.AddMilliseconds(40);
        _feed.Observe(engine, step, applied, checkSites: false);

        var failover = Assert.Single(_heard, e => e.Kind == HubEventKind.Switch);
        Assert.Equal(("web", "a", "b", "failover", false), (failover.Service, failover.From, failover.To, failover.Reason, failover.Planned));
        Assert.Equal(applied - firstFailure, failover.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(340), failover.Duration);
        Assert.StartsWith("web: a → b, failover in 0.34 s (", failover.Summary);
        var down = Assert.Single(_heard, e => e.Kind == HubEventKind.SiteDown);
        Assert.Equal("a", down.Site);
        Assert.Contains("http check failed 2×: connection refused", down.Summary);
        Assert.Equal(_heard, _feed.Recent().Skip(2));
    }

    [Fact]
    public void A_site_that_comes_back_is_told_once_and_a_planned_move_has_no_duration()
    {
        var engine = _h.Engine();
        Step(engine, _h.Results(true, "a", "b", "c"));
        _heard.Clear();
        Step(engine, _h.Results(false, "c"));
        Step(engine, _h.Results(false, "c"));
        Step(engine, _h.Results(true, "c"));
        Step(engine, new HubEvidence { Commands = [new OperatorCommand.Pin("web", "b")] });

        Assert.Equal([HubEventKind.SiteDown, HubEventKind.SiteUp, HubEventKind.Switch], _heard.Select(e => e.Kind));
        Assert.Equal(["c", "c"], _heard.Take(2).Select(e => e.Site));
        var move = _heard[2];
        Assert.Equal(("pinned", true, null), (move.Reason, move.Planned, move.Duration));
    }

    [Fact]
    public void A_rejected_reload_is_told_on_one_line()
    {
        _feed.ReloadRejected("hub", "/etc/keepwire/keepwire.yaml", "reload rejected, still running the previous config:\ncluster.yaml:3:5: unknown key 'x'\ncluster.yaml:9:1: y", _h.Now);

        var rejected = Assert.Single(_heard);
        Assert.Equal(HubEventKind.ReloadRejected, rejected.Kind);
        Assert.Equal("reload rejected, still running the previous config: cluster.yaml:3:5: unknown key 'x'; cluster.yaml:9:1: y", rejected.Summary);
    }

    private void Step(HubEngine engine, HubEvidence evidence) => _feed.Observe(engine, engine.Step(evidence), _h.Now, checkSites: false);

    private sealed class Sink(List<HubEvent> heard) : IHubEventSink
    {
        public void Publish(HubEvent hubEvent) => heard.Add(hubEvent);
    }
}
