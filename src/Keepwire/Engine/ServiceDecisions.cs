using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Model;
using Keepwire.State;

namespace Keepwire.Engine;

/// <summary>
/// The decisions of every service: one <see cref="ServiceDecider"/> each, fed with probe results,
/// WireGuard handshakes and agent reports. Part of <see cref="HubEngine"/>, which applies the operator's
/// intent to it. Only services that got evidence, or whose decision may change with time now, are decided
/// again on a step: a probe result of one service costs one decision, not one per service.
/// A reload builds a new instance and carries the current decisions over, so a reload never flips a
/// service by itself.
/// </summary>
internal sealed partial class ServiceDecisions
{
    private readonly Dictionary<string, ServiceDecider> _deciders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceConfig> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ServiceDecider>> _bySite = new(StringComparer.Ordinal);
    private readonly HashSet<ServiceDecider> _touched = [];
    private readonly TimeProvider _time;

    /// <param name="previous">The journal (or the decisions before a reload): each service continues with its site and epoch.</param>
    public ServiceDecisions(ClusterConfig config, IReadOnlyDictionary<string, DecisionRecord> previous, TimeProvider time)
    {
        _time = time;
        foreach (var service in config.Services)
        {
            var decider = new ServiceDecider(service, config.Sites, service.Checks, service.Failover, time);
            if (previous.TryGetValue(service.Name, out var record))
            {
                // A site this config no longer lets serve is not restored, but the epoch always is: it never goes down (a peer hub relies on that).
                var site = CanServe(service, record.ServingSite) ? record.ServingSite : null;
                decider.Restore(site, record.Epoch, record.Since, site is null ? null : record.LastAutomaticSwitch);
            }
            _deciders[service.Name] = decider;
            _services[service.Name] = service;
            foreach (var site in decider.SitesByPreference)
            {
                if (!_bySite.TryGetValue(site, out var list))
                    _bySite[site] = list = [];
                list.Add(decider);
            }
            _touched.Add(decider);
        }
    }

    public IEnumerable<ServiceDecider> All => _deciders.Values;

    public int Count => _deciders.Count;

    public ServiceDecider? Find(string service) => _deciders.GetValueOrDefault(service);

    /// <summary>The deciders of every service <paramref name="site"/> may serve.</summary>
    public IReadOnlyList<ServiceDecider> OfSite(string site) => _bySite.TryGetValue(site, out var list) ? list : [];

    /// <summary>Decide this service on the next <see cref="DecideDue"/> (its intent changed).</summary>
    public void Touch(ServiceDecider decider) => _touched.Add(decider);

    /// <summary>The serving site per service, for the forwarding table; services without one are left out.</summary>
    public IReadOnlyDictionary<string, string> ServingSites() =>
        _deciders.Values.Where(d => d.Current.ServingSite is not null).ToDictionary(d => d.Service, d => d.Current.ServingSite!);

    /// <summary>Counts one probe result for every check it answers for; subjects this config does not know are ignored.</summary>
    public void Record(ProbeObservation probe)
    {
        foreach (var subject in probe.Subjects)
        {
            if (_deciders.TryGetValue(subject.Service, out var decider) && decider.Record(ResultFor(probe, subject)))
                _touched.Add(decider);
        }
    }

    /// <summary>A probe held inconclusive (the hub stalled during it): no count, but its checks are not stale.</summary>
    public void RecordInconclusive(ProbeObservation probe)
    {
        foreach (var subject in probe.Subjects)
        {
            if (_deciders.TryGetValue(subject.Service, out var decider) && decider.Health.RecordInconclusive(ResultFor(probe, subject)))
                _touched.Add(decider);
        }
    }

    /// <summary>The probe's result as the check of <paramref name="subject"/> (a shared probe answers for every check that asked for it).</summary>
    private static CheckResult ResultFor(ProbeObservation probe, CheckSubject subject) =>
        subject.Check == probe.Result.Check ? probe.Result : probe.Result with { Check = subject.Check };

    /// <summary>A site's own verdict counts for every service the site may serve.</summary>
    public void RecordAgentReport(SiteAgentReport report)
    {
        foreach (var decider in OfSite(report.Site))
        {
            decider.Health.RecordAgentReport(report);
            _touched.Add(decider);
        }
    }

    /// <summary>A site's liveness (lost, with why; or answering again: null) counts for every service the site may serve, in this one pass.</summary>
    public int RecordLiveness(string site, string? lostDetail, DateTimeOffset at)
    {
        var deciders = OfSite(site);
        foreach (var decider in deciders)
        {
            decider.Health.RecordLiveness(site, lostDetail, at);
            _touched.Add(decider);
        }
        return deciders.Count;
    }

    /// <summary>
    /// <paramref name="refusal"/> from <paramref name="site"/> counts against the services it serves now on the
    /// refusing port (only a serving site gets forwarded clients to refuse). Returns those whose checks it started to suspect.
    /// </summary>
    public IReadOnlyList<string> RecordRefusal(string site, RefusedFlow refusal)
    {
        var suspected = new List<string>();
        foreach (var decider in OfSite(site))
        {
            if (decider.Current.ServingSite != site || !ForwardsTo(_services[decider.Service], refusal))
                continue;
            var detail = $"a client refused on {refusal.Protocol.ToString().ToLowerInvariant()}/{refusal.Port}";
            if (decider.Health.RecordRefusal(site, refusal.At, detail))
                suspected.Add(decider.Service);
        }
        return suspected;
    }

    /// <summary>
    /// Whether <paramref name="refusal"/> refused a client of <paramref name="service"/>: a port the service forwards,
    /// and for a routed service one of its own addresses (with <c>allow: all</c> a refusal is the normal answer of a
    /// closed port, so it never counts).
    /// </summary>
    private static bool ForwardsTo(ServiceConfig service, RefusedFlow refusal) =>
        (!service.IsRouted || (!service.AllowsAllPorts && service.RoutedPrefixes.Any(p => p.Contains(refusal.Site))))
        && service.Ports.Any(port => port.Protocol == refusal.Protocol && port.SiteRange.First <= refusal.Port && refusal.Port <= port.SiteRange.Last);

    /// <summary>Feeds every site's latest handshake with this hub to every service it may serve.</summary>
    public void RecordHandshakes(ClusterConfig config, WireGuardDeviceState? device)
    {
        var now = _time.GetUtcNow();
        foreach (var site in config.Sites)
        {
            var handshake = device?.FindPeer(site.PublicKey)?.LatestHandshake;
            foreach (var decider in OfSite(site.Name))
            {
                decider.Health.RecordHandshake(site.Name, handshake, now);
                _touched.Add(decider);
            }
        }
    }

    /// <summary>Decides every service now; returns the decisions whose serving site changed.</summary>
    public IReadOnlyList<ServiceDecision> DecideAll()
    {
        _touched.Clear();
        return Decide(_deciders.Values);
    }

    /// <summary>
    /// Decides the services that got evidence or an intent change since the last decision, and those whose
    /// recheck time has come (preempt delay, hold-down, grace, a verdict going stale); returns the decisions
    /// whose serving site changed. Every other decision would come out the same.
    /// </summary>
    public IReadOnlyList<ServiceDecision> DecideDue()
    {
        var now = _time.GetUtcNow();
        var due = _deciders.Values.Where(d => _touched.Contains(d) || d.Current.RecheckAt <= now).ToList();
        _touched.Clear();
        return Decide(due);
    }

    /// <summary>The earliest time a decision may change without new observations (preempt delay, hold-down, grace).</summary>
    public DateTimeOffset? NextRecheck() =>
        _deciders.Values.Select(d => d.Current.RecheckAt).Where(t => t is not null).Min();

    public IEnumerable<DecisionRecord> Records() =>
        _deciders.Values.Select(d => new DecisionRecord(d.Service, d.Current.ServingSite, d.Current.Epoch, d.Current.Since, d.Current.LastAutomaticSwitch));

    public IReadOnlyList<DecisionEvent> History() =>
        [.. _deciders.Values.SelectMany(d => d.History).OrderBy(e => e.Time)];

    private static List<ServiceDecision> Decide(IEnumerable<ServiceDecider> deciders)
    {
        var changed = new List<ServiceDecision>();
        foreach (var decider in deciders)
        {
            var before = decider.Current.ServingSite;
            var decision = decider.Decide();
            if (decision.ServingSite != before)
                changed.Add(decision);
        }
        return changed;
    }
}
