using System.Net;
using Keepwire.Adapters.Conntrack;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Engine;

/// <summary>
/// The whole failover path in process, as kube-proxy tests its proxier: evidence into the real engine, its
/// step through the real data-path reconciler into a fake nftables that keeps the table and a fake conntrack
/// that keeps flows; then the test reads the table and the flows. No root, no kernel, a fake clock.
/// </summary>
public sealed class FailoverPathTests
{
    private static readonly IPAddress Alpha = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress Bravo = IPAddress.Parse("10.77.0.3");
    private const string WebKey = "198.51.100.10 . tcp . 443";

    private readonly EngineHarness _h = new();
    private readonly FakeNftables _nft = new();
    private readonly FakeConntrack _conntrack = new();
    private readonly DataPathReconciler _dataPath;

    public FailoverPathTests() =>
        _dataPath = new DataPathReconciler(
            new ForwardingReconciler(_nft, NullLogger<ForwardingReconciler>.Instance),
            new FlowFlushWorker(_conntrack, _h.Clock, NullLogger.Instance));

    [Fact]
    public async Task A_failed_site_loses_its_service_in_one_transaction_and_the_service_flows_to_it_go_after()
    {
        var engine = _h.Engine();
        await StepAsync(engine, _h.Results(true, "a", "b", "c"));
        Assert.Equal("10.77.0.2 . 443", Web());
        var client = new TrackedFlow(TransportProtocol.Tcp, EngineHarness.WebVip, 443);
        var probe = new TrackedFlow(TransportProtocol.Tcp, Alpha, 80);
        _conntrack.Add(client, Alpha);
        _conntrack.Add(probe, Alpha);
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.MailVip, 443), Bravo);
        var scripts = _nft.Scripts.Count;

        var step = await StepAsync(engine, _h.Results(false, "a"));

        var switched = Assert.Single(step.Switched);
        Assert.Equal(("a", "b", false), (switched.PreviousSite, switched.ServingSite, switched.Planned));
        Assert.Equal(scripts + 1, _nft.Scripts.Count);
        Assert.Equal($"delete element inet keepwire fwd4 {{ {WebKey} }}\nadd element inet keepwire fwd4 {{ {WebKey} : 10.77.0.3 . 443 }}\n", _nft.Scripts[^1]);
        Assert.Equal("10.77.0.3 . 443", Web());
        Assert.Equal(new FlowSelector(EngineHarness.WebVip, TransportProtocol.Tcp, Alpha), Assert.Single(_conntrack.Deletes));
        Assert.DoesNotContain(_conntrack.Flows, f => f.Flow == client); // its retransmitted SYN is NATed to bravo
        Assert.Contains(_conntrack.Flows, f => f.Flow == probe); // the hub's own probe to alpha is not a VIP flow
        Assert.Equal(2, _conntrack.Flows.Count);
    }

    [Fact]
    public async Task A_planned_move_repoints_the_map_and_lets_existing_flows_finish()
    {
        var engine = _h.Engine();
        await StepAsync(engine, _h.Results(true, "a", "b", "c"));
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.WebVip, 443), Alpha);

        var step = await StepAsync(engine, new HubEvidence { Commands = [new OperatorCommand.Pin("web", "b")] });

        Assert.True(step.Answers[0].Ok);
        Assert.Equal("web: a → b (pinned by operator; existing connections finish where they are)", step.Answers[0].Message);
        Assert.Equal("10.77.0.3 . 443", Web());
        Assert.Empty(_conntrack.Deletes);
        Assert.Single(_conntrack.Flows);
    }

    [Fact]
    public async Task A_site_that_dies_under_many_services_moves_them_all_in_one_transaction_with_one_flush_per_family()
    {
        var services = Enumerable.Range(0, 40).Select(i => new ServiceConfig($"svc{i}", [EngineHarness.WebVip], [new PortRule(TransportProtocol.Tcp, 8000 + i, 8000 + i, null)], ["a", "b"]) { Checks = [Decisions.DeciderHarness.Check] }).ToList();
        var h = new EngineHarness(adjust: c => c with { Services = services });
        var engine = new HubEngine(h.Config, h.Self, Keepwire.State.OperatorIntent.None, new Dictionary<string, Keepwire.State.DecisionRecord>(), h.Clock);
        await StepAsync(engine, h.Results(true, "a", "b"));
        foreach (var service in services)
            _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.WebVip, service.Ports[0].First), Alpha);
        var scripts = _nft.Scripts.Count;

        var step = await StepAsync(engine, h.Results(false, "a"));

        Assert.Equal(40, step.Switched.Count);
        Assert.Equal(scripts + 1, _nft.Scripts.Count);
        Assert.Empty(_conntrack.Flows);
        Assert.Single(_conntrack.Listings);
        Assert.Equal(new FlowSelector(EngineHarness.WebVip, TransportProtocol.Tcp, Alpha), Assert.Single(_conntrack.Deletes));
    }

    [Fact]
    public async Task A_failed_transaction_keeps_the_switch_flushes_until_one_succeeds()
    {
        var engine = _h.Engine();
        await StepAsync(engine, _h.Results(true, "a", "b", "c"));
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.WebVip, 443), Alpha);
        _nft.FailNextApply = "nft rejected line 1 of the script: Could not process rule: Device or resource busy";

        var failed = engine.Step(_h.Results(false, "a"));
        await Assert.ThrowsAsync<Keepwire.Adapters.Nftables.NftablesException>(() => _dataPath.ApplyAsync(failed.DataPlane, failed.Flushes));
        await _dataPath.WaitForFlushesAsync();
        Assert.Equal("10.77.0.2 . 443", Web());
        Assert.Empty(_conntrack.Deletes);
        Assert.Equal(1, _dataPath.PendingFlushes);

        await StepAsync(engine, new HubEvidence { RefreshDataPlane = true, DataPathFault = "nft rejected line 1" });

        Assert.Equal("10.77.0.3 . 443", Web());
        Assert.Single(_conntrack.Deletes);
        Assert.Empty(_conntrack.Flows);
    }

    [Fact]
    public async Task A_slow_flush_holds_up_neither_the_next_switch_nor_its_flush()
    {
        var engine = _h.Engine();
        await StepAsync(engine, _h.Results(true, "a", "b", "c"));
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.WebVip, 443), Alpha);
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, EngineHarness.MailVip, 443), Bravo);
        var slow = new TaskCompletionSource();
        _conntrack.Gate = slow;

        var first = engine.Step(_h.Results(false, "a"));
        await _dataPath.ApplyAsync(first.DataPlane, first.Flushes);
        var second = engine.Step(_h.Results(false, "b"));
        await _dataPath.ApplyAsync(second.DataPlane, second.Flushes);

        Assert.Equal("10.77.0.4 . 443", _nft.Lookup("inet", "keepwire", "fwd4", "198.51.100.20 . tcp . 443"));
        Assert.Equal(2, _conntrack.Flows.Count); // both flushes wait for conntrack, neither held the switches up
        slow.SetResult();
        await _dataPath.WaitForFlushesAsync();
        Assert.Empty(_conntrack.Flows);
    }

    private string? Web() => _nft.Lookup("inet", "keepwire", "fwd4", WebKey);

    private async Task<HubStep> StepAsync(HubEngine engine, HubEvidence evidence)
    {
        var step = engine.Step(evidence);
        await _dataPath.ApplyAsync(step.DataPlane, step.Flushes);
        await _dataPath.WaitForFlushesAsync();
        return step;
    }
}
