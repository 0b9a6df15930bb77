using Keepwire.Decisions;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.State;

namespace Keepwire.Engine;

/// <summary>
/// The hub's functional core: everything the hub decides and nothing it does. Evidence goes in (probe
/// results, site reports, WireGuard handshakes, the peer hub's messages, whether this hub holds the VIPs)
/// together with the operator's commands; one <see cref="HubStep"/> comes out: the switches and why, the
/// forwarding table the kernel must hold, the conntrack flows to delete once it does, what to journal and,
/// in a pair, the track file's verdict and the message for the peer.
/// Before any of it, the evidence is weighed (<c>HubEngine.Evidence.cs</c>): a timeout while the hub itself stalled,
/// or every site failing at once, is not held against the sites.
/// Three concerns meet here and nowhere else: the per-service decisions (<see cref="ServiceDecider"/>),
/// the operator's intent (pins and drains, applied level-triggered in one place: <c>HubEngine.Intent.cs</c>)
/// and the pair role (<c>HubEngine.Pair.cs</c>).
/// No I/O: time comes from the <see cref="TimeProvider"/>, so the simulations and the unit tests drive this
/// very class on a fake clock, while the daemon (<c>Hub/HubDaemon</c>) only gathers evidence and carries steps out.
/// Single-threaded: one loop owns it.
/// </summary>
public sealed partial class HubEngine
{
    private readonly TimeProvider _time;
    private ServiceDecisions _decisions;

    /// <summary>The kernel's table may differ from the decisions (start, reload): the next step carries the whole data plane.</summary>
    private bool _dataPlaneStale = true;

    /// <param name="config">The validated cluster config.</param>
    /// <param name="hub">This hub, one of <paramref name="config"/>'s hubs.</param>
    /// <param name="intent">The operator's saved pins and drains.</param>
    /// <param name="journal">The saved decisions: every service continues with its site and epoch, so a restart flips nothing.</param>
    public HubEngine(ClusterConfig config, HubNode hub, OperatorIntent intent, IReadOnlyDictionary<string, DecisionRecord> journal, TimeProvider time)
    {
        _time = time;
        Config = config;
        Hub = hub;
        _decisions = new ServiceDecisions(config, journal, time);
        _intent = intent;
        _pair = PairState.For(config, hub, time);
        _probedSites = ProbedSites(config);
        ConvergeIntent(freshPins: PinnedServices());
    }

    public ClusterConfig Config { get; private set; }

    public HubNode Hub { get; private set; }

    /// <summary>Every service's decider, for status (read only: observations and commands go through <see cref="Step"/>).</summary>
    public IEnumerable<ServiceDecider> Services => _decisions.All;

    public ServiceDecider? Find(string service) => _decisions.Find(service);

    /// <summary>Every service's switches and restores, oldest first.</summary>
    public IReadOnlyList<DecisionEvent> History() => _decisions.History();

    /// <summary>Every service's decision as the journal keeps it.</summary>
    public IReadOnlyList<DecisionRecord> Records() => [.. _decisions.Records()];

    /// <summary>
    /// Takes a reloaded config. The decisions carry over (a reload never flips a service by itself), and so do
    /// the intent and, when the peer is the same, what this hub knows of it. The next step carries the whole data plane.
    /// </summary>
    public void Reconfigure(ClusterConfig config, HubNode hub)
    {
        _decisions = new ServiceDecisions(config, _decisions.Records().ToDictionary(r => r.Service), _time);
        (Config, Hub) = (config, hub);
        _pair = PairState.Reconfigure(_pair, config, hub, _time);
        _probedSites = ProbedSites(config);
        _correlated.Clear();
        _lostSites.RemoveWhere(site => config.FindSite(site) is null);
        foreach (var site in _lostSites)
            _decisions.RecordLiveness(site, _lostDetail[site], _time.GetUtcNow());
        _dataPlaneStale = true;
        ConvergeIntent(freshPins: PinnedServices());
    }

    /// <summary>
    /// Takes <paramref name="evidence"/> and decides: the operator's commands first (they change the intent),
    /// then every decision that may have changed, or in a pair following the leading hub instead.
    /// </summary>
    public HubStep Step(HubEvidence evidence)
    {
        var notes = new List<HubNote>();
        var probeNow = new HashSet<string>(StringComparer.Ordinal);
        Observe(evidence, notes, probeNow);
        Remember(notes);
        var intentBefore = _intent;
        var commands = evidence.Commands.Select(Accept).ToList();

        var flushes = new List<FlowFlush>();
        IReadOnlyList<ServiceDecision> switched;
        bool journalChanged;
        PairStep? pair = null;
        if (_pair is null)
        {
            switched = evidence.RefreshDataPlane ? _decisions.DecideAll() : _decisions.DecideDue();
            journalChanged = switched.Count > 0;
        }
        else
        {
            (switched, journalChanged, pair) = StepInPair(_pair, evidence, flushes);
        }

        flushes.InsertRange(0, FlowsLeftBehind(switched));
        var now = _time.GetUtcNow();
        HubDataPlane? plane = null;
        if (switched.Count > 0 || _dataPlaneStale || evidence.RefreshDataPlane)
        {
            plane = HubDataPlaneBuilder.Build(Config, Hub, _decisions.ServingSites());
            _dataPlaneStale = false;
        }

        return new HubStep(
            now,
            switched,
            plane,
            flushes,
            journalChanged ? Records() : null,
            _intent.SameAs(intentBefore) ? null : _intent,
            pair,
            [.. commands.Select(c => Answer(c, switched))],
            NextWakeUp())
        {
            Notes = notes,
            ProbeNow = [.. probeNow.Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>When to step again without new evidence: a decision's recheck, or in a pair the role's recheck or the next heartbeat.</summary>
    public DateTimeOffset? NextWakeUp()
    {
        var next = _decisions.NextRecheck();
        if (_pair?.NextWakeUp() is { } pairDue && (next is null || pairDue < next))
            next = pairDue;
        return next;
    }

    private void Observe(HubEvidence evidence, List<HubNote> notes, HashSet<string> probeNow)
    {
        ObserveRefusals(evidence.Refusals, notes, probeNow);
        foreach (var probe in CountedProbes(evidence, notes))
            _decisions.Record(probe);
        ObserveLiveness(evidence.Liveness, notes, probeNow);
        foreach (var report in evidence.Reports)
            _decisions.RecordAgentReport(report);
        if (evidence.WireGuard is { } reading)
            _decisions.RecordHandshakes(Config, reading.Device);
        if (_pair is not null)
        {
            foreach (var message in evidence.PeerMessages)
                _pair.View.Observe(message);
        }
    }

    /// <summary>An unplanned switch leaves flows behind at the site it left: they go, so their retransmissions reach the new site.</summary>
    private IEnumerable<FlowFlush> FlowsLeftBehind(IReadOnlyList<ServiceDecision> switched)
    {
        foreach (var decision in switched)
        {
            if (decision.Planned || decision.PreviousSite is not { } failed
                || Config.FindSite(failed) is not { } site || Config.FindService(decision.Service) is not { } service)
                continue;
            yield return new FlowFlush.ServiceLeftSite(service.Name, site.Name, ServiceFlowSelectors.For(Config.Services, service, site.Tunnel));
        }
    }
}
