using Keepwire.Decisions;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Hub;

/// <summary>A hub pair: what this hub tells its peer, and how it follows (or outranks) the peer's decisions.</summary>
public sealed partial class ServiceDecisions
{
    /// <summary>Every service's decision, for this hub's next sync message.</summary>
    public IReadOnlyList<SyncedDecision> Synced() => [.. _deciders.Values.Select(d => SyncedDecision.From(d.Current))];

    /// <summary>
    /// Follows <paramref name="leader"/>: its pins and drains, then its decision for every service this
    /// hub knows (see <see cref="ServiceDecider.Adopt"/>). Call it instead of <see cref="DecideAll"/> on
    /// every pass in the follow role; health observations keep going in as usual, so the deciders are
    /// ready to continue from the adopted state when this hub decides again.
    /// </summary>
    /// <param name="intent">This hub's current intent, to tell whether the leader's differs.</param>
    public PeerAdoption Adopt(HubSyncMessage leader, OperatorIntent intent)
    {
        var before = Records().ToList();
        foreach (var decider in _deciders.Values)
            AdoptIntent(decider, leader.Intent);

        var switched = new List<ServiceDecision>();
        var mismatched = new List<string>();
        foreach (var synced in leader.Services)
        {
            if (!_deciders.TryGetValue(synced.Service, out var decider) || !CanServe(_services[synced.Service], synced.ServingSite))
            {
                mismatched.Add(synced.Service);
                continue;
            }

            var decision = new ServiceDecision(synced.Service, synced.ServingSite, synced.Reason, "", synced.Since, synced.Epoch, null, synced.Planned, false, null, synced.LastAutomaticSwitch, null);
            if (decider.Adopt(decision, leader.Node))
                switched.Add(decider.Current);
        }

        return new PeerAdoption(switched, !before.SequenceEqual(Records()), !leader.Intent.SameAs(intent), mismatched);
    }

    /// <summary>
    /// While deciding and holding the VIPs, with a live peer: keeps every epoch above the peer's (see
    /// <see cref="ServiceDecider.RaiseEpochAbove"/>), so after a partition this hub's decisions supersede.
    /// Only the hub with the VIPs calls it: two hubs deciding apart that both raised would chase each
    /// other's epochs up with every message.
    /// </summary>
    /// <returns>True when an epoch rose (save the journal).</returns>
    public bool RaiseEpochsAbove(HubSyncMessage peer)
    {
        var raised = false;
        foreach (var synced in peer.Services)
        {
            if (_deciders.TryGetValue(synced.Service, out var decider))
                raised |= decider.RaiseEpochAbove(synced.Epoch, synced.ServingSite);
        }
        return raised;
    }

    /// <summary>
    /// False when every site of every service is known to be down from here. With a silent peer that
    /// means this hub is cut off (<see cref="PeerHubView.Evaluate"/> yields then). Unknown counts as
    /// reachable, so a starting hub does not yield before its first results.
    /// </summary>
    public bool AnySiteReachable()
    {
        var now = _time.GetUtcNow();
        return _deciders.Count == 0 || _deciders.Values.Any(d => d.SitesByPreference.Any(s => d.Health.Evaluate(s, now).State != HealthState.Unhealthy));
    }

    private void AdoptIntent(ServiceDecider decider, OperatorIntent intent)
    {
        foreach (var site in decider.SitesByPreference)
        {
            var drained = intent.DrainedSites.Contains(site);
            if (drained == decider.Health.IsInMaintenance(site))
                continue;
            if (drained)
                decider.Drain(site);
            else
                decider.Undrain(site);
        }

        var pinned = intent.PinnedSiteByService.GetValueOrDefault(decider.Service);
        decider.AdoptPin(pinned is not null && decider.SitesByPreference.Contains(pinned) ? pinned : null);
    }

    /// <summary>A decision (the leader's, or a journaled one) may name no site, one of the service's sites, or its last-resort site.</summary>
    private static bool CanServe(ServiceConfig service, string? site) =>
        site is null
        || service.Sites.Contains(site)
        || service.Failover.NoHealthySite is NoHealthySiteBehavior.LastResortSite { Site: var lastResort } && lastResort == site;
}
