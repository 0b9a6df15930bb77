namespace Keepwire.Decisions;

/// <summary>Operator actions and restart: what `keepwire failover`, `drain` and a restarted daemon do.</summary>
public sealed partial class ServiceDecider
{
    /// <summary>
    /// `keepwire failover SERVICE --to SITE`: serve <paramref name="site"/> regardless of priority,
    /// for as long as it is eligible. The move is planned and immediate (no hold-down) on the next
    /// <see cref="Decide"/> if the site is eligible then. A pinned site that becomes unhealthy still
    /// fails over (a pin never holds traffic on a dead site); the pin stays, and traffic returns once
    /// the site has been eligible for the preempt delay, even when the policy is non-revertive,
    /// because the operator asked for that site. <see cref="Unpin"/> hands back to the policy.
    /// </summary>
    public void Pin(string site)
    {
        RequireSite(site);
        pinnedSite = site;
        pinFresh = current.ServingSite != site;
        ownChanges++;
    }

    /// <summary>Clears the pin. The policy takes over: with preempt, the best site returns after its delay.</summary>
    public void Unpin()
    {
        pinnedSite = null;
        pinFresh = false;
        ownChanges++;
    }

    /// <summary>
    /// Maintenance: <paramref name="site"/> may no longer be chosen. If it serves, the next
    /// <see cref="Decide"/> moves the service to the best eligible site, planned (existing flows
    /// finish on the drained site) and without waiting for the hold-down. If no other site is
    /// eligible, the no-healthy-site behaviour applies (keep-last keeps the drained site).
    /// </summary>
    public void Drain(string site)
    {
        RequireSite(site);
        Health.SetMaintenance(site, true, time.GetUtcNow());
    }

    /// <summary>Ends maintenance. The site counts as eligible from now on, so preempting back to it waits the preempt delay.</summary>
    public void Undrain(string site)
    {
        RequireSite(site);
        Health.SetMaintenance(site, false, time.GetUtcNow());
    }

    /// <summary>
    /// Continues from <paramref name="previous"/> (a restarted daemon's saved decision, or the
    /// other hub's) instead of choosing afresh, so a restart never flips the serving site: the
    /// restored site keeps serving through the startup grace until its checks say otherwise.
    /// Only before the first decision is made.
    /// </summary>
    public void Restore(ServiceDecision previous) =>
        Restore(previous.ServingSite, previous.Epoch, previous.Since, previous.LastAutomaticSwitch);

    /// <summary>
    /// Continues with <paramref name="servingSite"/>, e.g. read back from the kernel's forwarding
    /// table. <paramref name="lastAutomaticSwitch"/> carries the hold-down over the restart.
    /// A null site restores only the epoch: the first choice is then made as usual.
    /// </summary>
    public void Restore(string? servingSite, long epoch, DateTimeOffset since, DateTimeOffset? lastAutomaticSwitch = null)
    {
        if (chosen)
            throw new InvalidOperationException($"service {Service}: cannot restore a decision after one has been made");
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ownChanges++;
        if (servingSite is null)
        {
            current = current with { Epoch = Math.Max(current.Epoch, epoch) };
            return;
        }

        var detail = $"continuing with {servingSite}, serving since {since:yyyy-MM-dd HH:mm:ss.fff}";
        current = new ServiceDecision(Service, servingSite, DecisionReason.Restored, detail, since, epoch, null, true, false, null, lastAutomaticSwitch, null);
        this.lastAutomaticSwitch = lastAutomaticSwitch;
        chosen = true;
        restored = true;
        AddEvent(new DecisionEvent(time.GetUtcNow(), Service, null, servingSite, DecisionReason.Restored, detail, true, false, epoch));
    }

    private void RequireSite(string site)
    {
        if (!priorities.ContainsKey(site))
            throw new ArgumentException($"site {site} does not serve {Service} (its sites: {string.Join(", ", SitesByPreference)})", nameof(site));
    }
}
