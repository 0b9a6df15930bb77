using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Health;
using Keepwire.Model;
using Keepwire.State;

namespace Keepwire.Hub;

/// <summary>
/// The hub's decision core for every service: one <see cref="ServiceDecider"/> each, fed with probe
/// results, WireGuard handshakes and operator intent. Single-threaded: the hub loop owns it.
/// A reload builds a new instance and carries the current decisions over, so a reload never flips
/// a service by itself.
/// </summary>
public sealed partial class ServiceDecisions
{
    private readonly Dictionary<string, ServiceDecider> _deciders = [];
    private readonly Dictionary<string, ServiceConfig> _services = [];
    private readonly TimeProvider _time;

    public ServiceDecisions(ClusterConfig config, OperatorIntent intent, IReadOnlyDictionary<string, DecisionRecord> previous, TimeProvider time)
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
            foreach (var site in intent.DrainedSites.Where(service.Sites.Contains))
                decider.Drain(site);
            if (intent.PinnedSiteByService.TryGetValue(service.Name, out var pinned) && service.Sites.Contains(pinned))
                decider.Pin(pinned);
            _deciders[service.Name] = decider;
            _services[service.Name] = service;
        }
    }

    public IEnumerable<ServiceDecider> All => _deciders.Values;

    public ServiceDecider? Find(string service) => _deciders.GetValueOrDefault(service);

    /// <summary>The serving site per service, for the forwarding table; services without one are left out.</summary>
    public IReadOnlyDictionary<string, string> ServingSites() =>
        _deciders.Values.Where(d => d.Current.ServingSite is not null).ToDictionary(d => d.Service, d => d.Current.ServingSite!);

    public void Record(ServiceCheckResult result) => Find(result.Service)?.Record(result.Result);

    /// <summary>A site's own verdict counts for every service the site may serve.</summary>
    public void RecordAgentReport(SiteAgentReport report)
    {
        foreach (var decider in _deciders.Values.Where(d => d.SitesByPreference.Contains(report.Site)))
            decider.Health.RecordAgentReport(report);
    }

    /// <summary>Feeds every site's latest handshake with this hub to every service it may serve.</summary>
    public void RecordHandshakes(ClusterConfig config, WireGuardDeviceState? device)
    {
        var now = _time.GetUtcNow();
        foreach (var site in config.Sites)
        {
            var handshake = device?.FindPeer(site.PublicKey)?.LatestHandshake;
            foreach (var service in _services.Values.Where(s => s.Sites.Contains(site.Name)))
                _deciders[service.Name].Health.RecordHandshake(site.Name, handshake, now);
        }
    }

    /// <summary>Decides every service now; returns the decisions whose serving site changed.</summary>
    public IReadOnlyList<ServiceDecision> DecideAll()
    {
        var changed = new List<ServiceDecision>();
        foreach (var decider in _deciders.Values)
        {
            var before = decider.Current.ServingSite;
            var decision = decider.Decide();
            if (decision.ServingSite != before)
                changed.Add(decision);
        }
        return changed;
    }

    /// <summary>The earliest time a decision may change without new observations (preempt delay, hold-down, grace).</summary>
    public DateTimeOffset? NextRecheck() =>
        _deciders.Values.Select(d => d.Current.RecheckAt).Where(t => t is not null).Min();

    public IEnumerable<DecisionRecord> Records() =>
        _deciders.Values.Select(d => new DecisionRecord(d.Service, d.Current.ServingSite, d.Current.Epoch, d.Current.Since, d.Current.LastAutomaticSwitch));

    public IReadOnlyList<DecisionEvent> History() =>
        [.. _deciders.Values.SelectMany(d => d.History).OrderBy(e => e.Time)];
}
