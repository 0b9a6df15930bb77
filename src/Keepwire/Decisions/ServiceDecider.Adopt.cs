namespace Keepwire.Decisions;

/// <summary>
/// A hub pair: the follower adopts the active hub's decisions instead of deciding, and continues
/// from them when it takes over, so a hub failover never flips a service by itself.
/// </summary>
public sealed partial class ServiceDecider
{
    /// <summary>
    /// Takes <paramref name="leader"/>'s decision (its serving site, since, epoch, planned, reason and
    /// hold-down) as this hub's own, without counting it as a switch of this hub's policy: the hold-down
    /// keeps running from the leader's last automatic switch, not from now. If this hub decides later
    /// (the leader went silent, or this hub took the VIPs) it continues from here as after a restore:
    /// same site, same epoch, an Unknown site kept through the startup grace, and the leader's site healthy here
    /// wherever its checks pass now (<see cref="HealthTracker.Vouch"/>).
    /// The epoch never goes down: a switch here is above both this hub's epoch and the leader's.
    /// </summary>
    /// <param name="leader">The leader's decision; its Detail, Note and RecheckAt are not used.</param>
    /// <param name="leaderName">For the detail and the history: "following hub1".</param>
    /// <returns>True when the serving site changed, to be applied like a switch (an unplanned one flushes the old site's flows).</returns>
    public bool Adopt(ServiceDecision leader, string leaderName)
    {
        // The leader judged its site healthy. Where this hub's own checks of it pass but have not reached rise (this
        // hub restarted, or a blip interrupted them), they would make it ineligible here, and this hub, taking over,
        // would move a healthy site's clients on its first failed probe: a flip by the hub failover alone.
        if (leader.ServingSite is { } served)
            Health.Vouch(served, time.GetUtcNow());
        ownChanges++;
        chosen = true;
        restored = true;
        lastAutomaticSwitch = leader.LastAutomaticSwitch;
        var note = $"following {leaderName}";
        var from = current.ServingSite;
        if (leader.ServingSite == from)
        {
            current = current with
            {
                Since = leader.Since,
                Epoch = Math.Max(current.Epoch, leader.Epoch),
                LastAutomaticSwitch = leader.LastAutomaticSwitch,
                Note = note,
                RecheckAt = null,
            };
            return false;
        }

        var epoch = Math.Max(leader.Epoch, current.Epoch + 1);
        var detail = $"{note}, which {(leader.ServingSite is null ? "serves no site" : $"serves {leader.ServingSite}")} since {leader.Since:HH:mm:ss.fff} ({leader.Reason}{(leader.Planned ? ", planned" : "")})";
        current = new ServiceDecision(Service, leader.ServingSite, leader.Reason, detail, leader.Since, epoch, from, leader.Planned, false, note, leader.LastAutomaticSwitch, null);
        if (leader.ServingSite is not null && leader.ServingSite == pinnedSite)
            pinFresh = false;
        AddEvent(new DecisionEvent(time.GetUtcNow(), Service, from, leader.ServingSite, leader.Reason, detail, leader.Planned, false, epoch));
        return true;
    }

    /// <summary>
    /// The leader's pin (null: none). The leader has acted on it already, so unlike <see cref="Pin"/>
    /// it is never "fresh": if this hub takes over, a pinned site that is not serving returns after
    /// the preempt delay, as on the leader.
    /// </summary>
    public void AdoptPin(string? site)
    {
        if (site == pinnedSite)
            return;
        if (site is not null)
            RequireSite(site);
        pinnedSite = site;
        pinFresh = false;
        ownChanges++;
    }

    /// <summary>
    /// While deciding: keeps this hub's epoch above a peer's that went higher while the two decided
    /// apart (a partition, or a standby that decided alone). Equal sites take the higher epoch; a
    /// different site goes one above it, so this hub's decision supersedes the peer's when it follows.
    /// </summary>
    /// <returns>True when the epoch rose (journal it).</returns>
    public bool RaiseEpochAbove(long peerEpoch, string? peerSite)
    {
        var floor = peerSite == current.ServingSite ? peerEpoch : peerEpoch + 1;
        if (floor <= current.Epoch)
            return false;
        current = current with { Epoch = floor };
        ownChanges++;
        return true;
    }
}
