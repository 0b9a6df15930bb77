namespace Keepwire.State;

/// <summary>
/// What operators asked for by hand, which must survive a daemon restart: services pinned to a
/// site (<c>keepwire failover SERVICE --to SITE</c>) and sites in maintenance (<c>keepwire drain SITE</c>).
/// </summary>
/// <param name="Revision">
/// Which of two hubs' intents is newer: every accepted command sets it one above the highest this hub has seen on
/// either hub (a Lamport clock), so a command taken by a hub deciding alone while the pair was cut outranks what the
/// other hub still holds when they meet again. 0: no command yet (or a peer too old to send one).
/// </param>
public sealed record OperatorIntent(
    IReadOnlyDictionary<string, string> PinnedSiteByService,
    IReadOnlyList<string> DrainedSites,
    long Revision = 0)
{
    public static readonly OperatorIntent None = new(new Dictionary<string, string>(), []);

    public OperatorIntent WithPin(string service, string site)
    {
        var pins = new Dictionary<string, string>(PinnedSiteByService) { [service] = site };
        return this with { PinnedSiteByService = pins };
    }

    public OperatorIntent WithoutPin(string service)
    {
        if (!PinnedSiteByService.ContainsKey(service))
            return this;
        var pins = new Dictionary<string, string>(PinnedSiteByService);
        pins.Remove(service);
        return this with { PinnedSiteByService = pins };
    }

    /// <summary>The revision of a command taken after seeing <paramref name="highestSeen"/> (saturating: a revision never wraps).</summary>
    public OperatorIntent RevisedAbove(long highestSeen)
    {
        var highest = Math.Max(Revision, highestSeen);
        return this with { Revision = highest == long.MaxValue ? long.MaxValue : highest + 1 };
    }

    /// <summary>Same pins, drains and revision, whatever the order: records compare their collections by reference.</summary>
    public bool SameAs(OperatorIntent other) =>
        Revision == other.Revision
        && DrainedSites.ToHashSet().SetEquals(other.DrainedSites)
        && PinnedSiteByService.Count == other.PinnedSiteByService.Count
        && PinnedSiteByService.All(p => other.PinnedSiteByService.TryGetValue(p.Key, out var site) && site == p.Value);

    public OperatorIntent WithDrain(string site, bool drained)
    {
        var sites = DrainedSites.Where(s => s != site).ToList();
        if (drained)
            sites.Add(site);
        return this with { DrainedSites = sites };
    }
}
