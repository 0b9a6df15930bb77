using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Health;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Keepwire.Notifications;
using Keepwire.Reconciliation;
using Keepwire.Sync;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// The hub's metrics, fed by the hub loop from what it already has: each <see cref="HubStep"/> and the engine's
/// deciders (serving sites, failovers, health), the probe results as they arrive (check durations), the data
/// path as it acts (<see cref="IDataPathObserver"/>: nft transactions, conntrack deletes), the WireGuard reading
/// of the reconcile pass, and the pair's part of the step. Nothing here decides or does I/O; it only counts, so
/// the loop's cost is a few dictionary updates per pass. Its own registry: no process or runtime collectors,
/// which would cost memory and CPU on a 1-vCPU hub for numbers node_exporter already has.
/// </summary>
public sealed class HubMetrics : IDataPathObserver
{
    /// <summary>Health is evaluated for every service and site; at most this often, or at once after a switch.</summary>
    public static readonly TimeSpan HealthRefreshInterval = TimeSpan.FromSeconds(1);

    private static readonly double[] CheckBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly double[] FailoverBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 5, 10, 30];
    private static readonly double[] LagBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private static readonly double[] NftBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly GaugeSnapshot _serving;
    private readonly GaugeSnapshot _siteHealthy;
    private readonly GaugeSnapshot _checkHealthy;
    private readonly Histogram _checkDuration;
    private readonly Counter _failovers;
    private readonly Histogram _detectionToSwitch;
    private readonly Histogram _nftApply;
    private readonly Counter _flushed;
    private readonly Counter _reconcileErrors;
    private readonly Gauge _holdsVips;
    private readonly Gauge _deciding;
    private readonly Counter _syncMessages;
    private readonly Histogram _loopLag;
    private readonly Counter _inconclusive;
    private readonly Counter _suspected;
    private readonly Counter _refusals;
    private readonly GaugeSnapshot _livenessUp;
    private readonly GaugeSnapshot _livenessRtt;
    private readonly GaugeSnapshot _livenessLoss;
    private long _inconclusiveCounted;
    private long _refusalsCounted;
    private readonly WireGuardPeerMetrics _wireGuard;
    // Kept for the reader: it updates itself when the registry is collected.
    private readonly NotificationMetrics _notifications;
    private readonly List<DateTimeOffset> _switchesAwaitingTable = [];
    private DateTimeOffset _nextHealthRefresh = DateTimeOffset.MinValue;

    /// <param name="notifications">The notifier's counters, exported per receiver; they live beside the metrics, since notifications run without them.</param>
    public HubMetrics(NotificationCounters notifications)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        BuildInfo.Register(factory, "hub");
        _serving = new GaugeSnapshot(factory.CreateGauge(MetricNames.ServiceServing, "1 for the site that serves the service now, 0 for its other sites.", "service", "site"));
        _siteHealthy = new GaugeSnapshot(factory.CreateGauge(MetricNames.SiteHealthy, "1 when the site is healthy for the service (every check and signal), 0 when unhealthy or not decided yet.", "service", "site"));
        _checkHealthy = new GaugeSnapshot(factory.CreateGauge(MetricNames.CheckHealthy, "1 when the check passes (rise reached), 0 when it failed (fall reached), is stale or undecided.", "service", "site", "check"));
        _checkDuration = factory.CreateHistogram(MetricNames.CheckDuration, "How long a probe through the tunnel took, its attempts together.", new HistogramConfiguration { LabelNames = ["site", "type"], Buckets = CheckBuckets });
        _failovers = factory.CreateCounter(MetricNames.Failovers, "Changes of a service's serving site, by why: failover (the site failed), preempted, pinned, drained, selected, last_resort, recovered, reconfigured, restored.", "service", "reason");
        _detectionToSwitch = factory.CreateHistogram(MetricNames.FailoverDetectionToSwitch, "From the first failed probe of the run that brought the serving site down to the nft transaction that moved its service.", new HistogramConfiguration { Buckets = FailoverBuckets });
        _nftApply = factory.CreateHistogram(MetricNames.NftApplyDuration, "Forwarding-table transactions that changed the table: read it, diff, nft -f (passes that found it as wanted are not counted).", new HistogramConfiguration { Buckets = NftBuckets });
        _flushed = factory.CreateCounter(MetricNames.ConntrackFlushed, "Conntrack entries deleted after unplanned switches and VIP releases.");
        _reconcileErrors = factory.CreateCounter(MetricNames.ReconcileErrors, "Failed reconcile work by stage: network (WireGuard, addresses, keepalived), table (nft transaction), pass (anything else in a loop pass).", "stage");
        _holdsVips = factory.CreateGauge(MetricNames.HubHoldsVips, "1 when the VIPs are on this hub's public interface (a single hub always holds them).");
        _deciding = factory.CreateGauge(MetricNames.HubPairDeciding, "1 when this hub decides (a single hub, or the pair hub that leads), 0 when it follows its peer.");
        _syncMessages = factory.CreateCounter(MetricNames.SyncMessages, "Sync messages between the hubs of a pair, by direction (sent, received).", "direction");
        _loopLag = factory.CreateHistogram(MetricNames.HubLoopLag, "How late the hub's loop-lag timer fired (every 20 ms): the hub's own scheduling lag; from 10 ms on it is a stall, and timeouts through it do not count.", new HistogramConfiguration { Buckets = LagBuckets });
        _inconclusive = factory.CreateCounter(MetricNames.ProbesInconclusive, "Timed-out probes not counted against their site because the hub itself stalled during them.");
        _suspected = factory.CreateCounter(MetricNames.HubSuspected, "Steps in which every site failed at once and the hub (or its uplink) was suspected first.");
        _livenessUp = new GaugeSnapshot(factory.CreateGauge(MetricNames.SiteLivenessUp, "1 while the site answers its liveness stream, 0 when it is lost or has never answered (its checks decide alone then).", "site"));
        _livenessRtt = new GaugeSnapshot(factory.CreateGauge(MetricNames.SiteLivenessRtt, "The site's smoothed liveness round trip through the tunnel (absent until it answered).", "site"));
        _livenessLoss = new GaugeSnapshot(factory.CreateGauge(MetricNames.SiteLivenessLoss, "The share of liveness datagrams to the site never answered since the stream began (at start or the last reload), 0 to 1.", "site"));
        _refusals = factory.CreateCounter(MetricNames.SiteRefusals, "Refusals of forwarded clients by the sites (a RST to a SYN, port unreachable) that the hub read: passive evidence, at most 20 a second per site.");
        _wireGuard = new WireGuardPeerMetrics(factory, "site");
        _notifications = new NotificationMetrics(factory, Registry, notifications);
        foreach (var stage in Stages)
            _reconcileErrors.WithLabels(stage);
        _syncMessages.WithLabels("sent");
        _syncMessages.WithLabels("received");
        _holdsVips.Set(1);
        _deciding.Set(1);
    }

    /// <summary>The values of <see cref="MetricNames.ReconcileErrors"/>' stage label.</summary>
    public static readonly string[] Stages = ["network", "table", "pass"];

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public void ProbeFinished(ProbeStreamResult result) =>
        _checkDuration.WithLabels(result.Stream.Site, result.Stream.Check.Kind.ToString().ToLowerInvariant()).Observe(result.Duration.TotalSeconds);

    /// <summary>
    /// What a step decided: its switches counted by reason, and for a failover the instant its evidence began,
    /// kept until the transaction that carries the switch succeeds (<see cref="TableApplied(DateTimeOffset)"/>).
    /// </summary>
    public void StepTaken(HubStep step, HubEngine engine)
    {
        foreach (var decision in step.Switched)
        {
            _failovers.WithLabels(decision.Service, ReasonLabel(decision.Reason)).Inc();
            if (FirstFailedEvidence(decision, engine, step.At) is { } first)
                _switchesAwaitingTable.Add(first);
        }
        if (step.Pair is { } pair)
        {
            _holdsVips.Set(pair.HoldsVips ? 1 : 0);
            _deciding.Set(pair.Role.Role == PairRole.Decide ? 1 : 0);
            if (pair.Send is not null)
                _syncMessages.WithLabels("sent").Inc();
        }
        if (step.Switched.Count > 0)
            _nextHealthRefresh = DateTimeOffset.MinValue;
        _inconclusive.Inc(Math.Max(0, engine.InconclusiveProbes - _inconclusiveCounted));
        _inconclusiveCounted = engine.InconclusiveProbes;
        _refusals.Inc(Math.Max(0, engine.Refusals - _refusalsCounted));
        _refusalsCounted = engine.Refusals;
        _suspected.Inc(step.Notes.Count(n => n.Kind == HubNoteKind.HubSuspected));
    }

    /// <summary>One tick of the loop-lag timer; called from its thread.</summary>
    public void LoopLagged(TimeSpan lag) => _loopLag.Observe(lag.TotalSeconds);

    /// <summary>The step's forwarding table is in the kernel at <paramref name="at"/>: its failovers are complete.</summary>
    public void TableApplied(DateTimeOffset at)
    {
        foreach (var first in _switchesAwaitingTable)
            _detectionToSwitch.Observe(Math.Max(0, (at - first).TotalSeconds));
        _switchesAwaitingTable.Clear();
    }

    public void SyncReceived(int count)
    {
        if (count > 0)
            _syncMessages.WithLabels("received").Inc(count);
    }

    public void ReconcileFailed(string stage) => _reconcileErrors.WithLabels(stage).Inc();

    /// <summary>
    /// Serving sites and health of every service, site and check, and every site's liveness stream (asked only
    /// when due; null: none runs), at most every <see cref="HealthRefreshInterval"/> (or at once after a switch).
    /// </summary>
    public void Refresh(HubEngine engine, Func<IReadOnlyList<LivenessStatus>?> liveness, DateTimeOffset now)
    {
        if (now < _nextHealthRefresh)
            return;
        _nextHealthRefresh = now + HealthRefreshInterval;
        var streams = liveness() ?? [];
        _livenessUp.Set(streams.Select(s => (new[] { s.Site }, s.State == "up" ? 1.0 : 0.0)));
        _livenessRtt.Set(streams.Where(s => s.SmoothedRtt is not null).Select(s => (new[] { s.Site }, s.SmoothedRtt!.Value.TotalSeconds)));
        _livenessLoss.Set(streams.Select(s => (new[] { s.Site }, s.Loss)));
        var serving = new List<(string[], double)>();
        var sites = new List<(string[], double)>();
        var checks = new List<(string[], double)>();
        foreach (var decider in engine.Services)
        {
            var current = decider.Current.ServingSite;
            foreach (var (site, health) in decider.Health.EvaluateAll(now))
            {
                serving.Add(([decider.Service, site], site == current ? 1 : 0));
                sites.Add(([decider.Service, site], health.State == HealthState.Healthy ? 1 : 0));
                foreach (var check in health.Checks)
                    checks.Add(([decider.Service, site, check.Check], check.State == HealthState.Healthy && !check.Stale ? 1 : 0));
            }
        }
        _serving.Set(serving);
        _siteHealthy.Set(sites);
        _checkHealthy.Set(checks);
    }

    /// <summary>The hub interface's peers, named by the sites they belong to.</summary>
    public void WireGuardRead(ClusterConfig config, HubNode hub, WireGuardDeviceState? device) =>
        _wireGuard.Observe(hub.Interface, device, config.Sites.ToDictionary(s => s.PublicKey, s => s.Name));

    void IDataPathObserver.TableApplied(TimeSpan duration, bool succeeded)
    {
        if (succeeded)
            _nftApply.Observe(duration.TotalSeconds);
        else
            ReconcileFailed("table");
    }

    void IDataPathObserver.FlowsFlushed(int count) => _flushed.Inc(count);

    /// <summary><see cref="DecisionReason.LastResort"/> → "last_resort".</summary>
    public static string ReasonLabel(DecisionReason reason) =>
        string.Concat(reason.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>
    /// For an unplanned switch away from a site whose checks failed: when the first failure of their current run
    /// arrived (the earliest over the site's failing checks). Null for planned moves, first choices, and failovers
    /// that only the WireGuard handshake or the site's own report caused (no probe evidence to time from).
    /// </summary>
    private static DateTimeOffset? FirstFailedEvidence(ServiceDecision decision, HubEngine engine, DateTimeOffset at)
    {
        if (decision.Reason != DecisionReason.Failover || decision.Planned || decision.PreviousSite is not { } left)
            return null;
        if (engine.Find(decision.Service) is not { } decider || !decider.Health.Sites.Contains(left))
            return null;
        return decider.Health.Evaluate(left, at).Checks
            .Select(c => c.FailingSince)
            .OfType<DateTimeOffset>()
            .DefaultIfEmpty()
            .Min() is var first && first != default ? first : null;
    }
}
